/** A seeded synthetic MovieLens-style data set with planted sequential and content structure ({@link dev.recsys.eval.synthetic.SyntheticMovieLens}). */
package dev.recsys.eval.synthetic;
