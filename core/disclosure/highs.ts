/**
 * The HiGHS LP solver (compiled to WebAssembly), loaded once per process and shared: loading
 * compiles the Wasm module, which costs far more than a small solve.
 */
import loadHighs, { type Highs } from 'highs';

let loading: Promise<Highs> | undefined;

export function highsSolver(): Promise<Highs> {
  loading ??= loadHighs();
  return loading;
}
