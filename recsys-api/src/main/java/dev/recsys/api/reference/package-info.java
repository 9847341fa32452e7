/**
 * The plain-Java reference forward pass of docs/MODEL.md in double precision:
 * {@link dev.recsys.api.reference.ReferenceModel} (slow, obviously correct, for tiny sizes),
 * its tensor type {@link dev.recsys.api.reference.RefTensor} and the building blocks
 * {@link dev.recsys.api.reference.RefOps}. Every backend is tested against it through the
 * contract test kit ({@code dev.recsys.api.contract} in the test-jar of recsys-api).
 */
package dev.recsys.api.reference;
