package dev.recsys.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The Spark session of a command: the given master, else the one spark-submit set, else {@code local[*]}. */
public final class Sessions {
    private Sessions() {}

    /** The session (created, or the running one). */
    public static SparkSession get(String master, String appName) {
        SparkConf conf = new SparkConf();
        SparkSession.Builder b = SparkSession.builder().appName(appName);
        if (master != null) {
            b.master(master);
        } else if (!conf.contains("spark.master")) {
            b.master("local[*]");
        }
        return b.config("spark.sql.session.timeZone", "UTC")
                .config("spark.ui.showConsoleProgress", "false")
                .getOrCreate();
    }
}
