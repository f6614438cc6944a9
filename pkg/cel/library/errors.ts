// An error raised by an extension function while an expression runs.
import { EvaluationError } from '@marcbachmann/cel-js';

export function evalError(message: string): EvaluationError {
  return new EvaluationError(message);
}
