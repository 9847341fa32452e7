/**
 * The recsys model on ND4J / SameDiff (DL4J 1.0.0-M2.1, nd4j-native CPU): provider
 * {@link dev.recsys.backend.dl4j.Dl4jBackendProvider} ({@code dl4j}), found through
 * {@link java.util.ServiceLoader}. See the module's README.md for memory and thread settings
 * and for the performance notes.
 */
package dev.recsys.backend.dl4j;
