// libmime (installed with mailparser, which uses it for the same job) ships no types; only what we call is declared.
declare module 'libmime' {
  interface Libmime {
    /** Decodes RFC 2047 encoded words in any charset iconv-lite knows. */
    decodeWords(value: string): string;
    /** The MIME type for a file name's extension; application/octet-stream when it knows none. */
    detectMimeType(filename: string): string;
  }
  const libmime: Libmime;
  export default libmime;
}
