package dev.recsys.examples.workflow;

import dev.recsys.api.DataException;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.synthetic.SyntheticMovieLens;
import java.util.Map;

/** {@code --data synthetic[:users=…,items=…,length=…,series=…,seed=…]}: the embedded generator. */
final class Synthetic {
    private Synthetic() {}

    static Dataset generate(Map<String, String> options) {
        SyntheticMovieLens.Config d = SyntheticMovieLens.Config.defaults();
        int users = d.users();
        int items = d.items();
        int length = d.meanLength();
        double series = d.pSeries();
        long seed = d.seed();
        for (Map.Entry<String, String> e : options.entrySet()) {
            try {
                switch (e.getKey()) {
                    case "users" -> users = Integer.parseInt(e.getValue());
                    case "items" -> items = Integer.parseInt(e.getValue());
                    case "length" -> length = Integer.parseInt(e.getValue());
                    case "series" -> series = Double.parseDouble(e.getValue());
                    case "seed" -> seed = Long.parseLong(e.getValue());
                    default ->
                        throw new DataException("unknown synthetic option '" + e.getKey()
                                + "'; known: users, items, length, series, seed");
                }
            } catch (NumberFormatException ex) {
                throw new DataException("synthetic option " + e.getKey() + "=" + e.getValue() + " is not a number");
            }
        }
        try {
            return SyntheticMovieLens.generate(new SyntheticMovieLens.Config(users, items, length, series, seed));
        } catch (IllegalArgumentException ex) {
            throw new DataException("--data synthetic: " + ex.getMessage());
        }
    }
}
