/** Loss specifications and their plain-Java reference maths (value and gradient). */
package dev.recsys.api.loss;
