/** One problem found in the configuration, where the admin can find it. */
export interface ConfigIssue {
  file: string;
  line: number;
  path: string;
  message: string;
}

export function formatIssue(i: ConfigIssue): string {
  return `${i.file}:${i.line}${i.path ? ` ${i.path}` : ''}: ${i.message}`;
}
