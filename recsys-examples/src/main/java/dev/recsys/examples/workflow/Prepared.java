package dev.recsys.examples.workflow;

import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Vocabulary;
import dev.recsys.api.train.TrainingData;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.split.Split;

/**
 * A data set made ready for a model: the leave-one-out split, the content table and its
 * vocabulary (null without content), and the training sequences.
 *
 * @param fingerprint SHA-256 of the interactions, for provenance
 */
public record Prepared(Dataset dataset, Split split, ItemContent content, Vocabulary vocabulary, TrainingData training,
                       int eventTypes, String fingerprint) {
}
