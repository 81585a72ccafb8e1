/** A bare (uncompressed) BMP screenshot (seed 4.7): one zipped or converted to PNG/JPG is fine. */
export function isBareBmp(a: { contentType: string; filename?: string | undefined }): boolean {
  const type = a.contentType.toLowerCase();
  if (type === 'image/bmp' || type === 'image/x-bmp' || type === 'image/x-ms-bmp') return true;
  return /\.bmp$/i.test(a.filename ?? '') && (type === 'application/octet-stream' || type.startsWith('image/'));
}
