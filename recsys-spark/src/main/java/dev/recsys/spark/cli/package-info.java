/** The {@code recsys spark prepare|recommend|evaluate} commands and the main class of the assembly jar for {@code spark-submit}. */
package dev.recsys.spark.cli;
