/**
 * The backend contract test kit, shipped in the test-jar of recsys-api. Every backend subclasses
 * each abstract class here once, implementing {@code protected abstract Backend backend()}:
 *
 * <pre>
 * class DjlShapeContractTest extends AbstractShapeContractTest {
 *     protected Backend backend() { return new DjlBackendProvider().create(BackendOptions.defaults()); }
 * }
 * </pre>
 *
 * <p>The kit creates the backend once per test class and closes it after the class. It runs
 * tiny models ({@link dev.recsys.api.contract.ContractFixtures}) whose weights reach the backend
 * through the checkpoint format, and checks shapes, masks, seeded determinism, layer-by-layer
 * parity with {@link dev.recsys.api.reference.ReferenceModel}, gradients against finite
 * differences of the backend's own loss, every loss against the reference, and the model
 * lifecycle (weights round trip, save/load, close).
 */
package dev.recsys.api.contract;
