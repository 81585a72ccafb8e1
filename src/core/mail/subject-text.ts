/**
 * One line of subject text: control characters and runs of white space become one space. A decoded
 * subject may carry CR/LF from a broken encoded word; passing that into an outgoing header would be a
 * header injection.
 */
export function normalizeSubject(subject: string): string {
  // eslint-disable-next-line no-control-regex
  return subject.replace(/[\s\u0000-\u001f\u007f]+/gu, ' ').trim();
}
