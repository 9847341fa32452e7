/** The benchmark command of the DL4J backend ({@link dev.recsys.backend.dl4j.bench.Dl4jBench}), which can also drive any other backend through the SPI. */
package dev.recsys.backend.dl4j.bench;
