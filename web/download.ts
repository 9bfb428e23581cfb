/**
 * Saving what the page shows as files, with nothing sent anywhere: text and images become Blobs behind object
 * URLs that an `<a download>` hands to the browser's own download. Charts are uPlot canvases, which are
 * transparent where nothing is drawn; the PNG gets a white background so it reads in any image viewer.
 */

/** Starts a download of `blob` as `name`, as if the user had clicked a download link. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download reads the URL after this task; revoking at once could cancel it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The canvases of a chart (uPlot draws series, grid and axes on one), stacked on white, as a PNG. */
export async function canvasPng(canvases: readonly HTMLCanvasElement[], background = '#ffffff'): Promise<Blob> {
  const first = canvases[0];
  if (!first || first.width === 0 || first.height === 0) throw new Error('the chart has not been drawn yet');
  const out = document.createElement('canvas');
  out.width = first.width;
  out.height = first.height;
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('this browser cannot draw on a canvas');
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, out.width, out.height);
  for (const c of canvases) ctx.drawImage(c, 0, 0);
  return new Promise<Blob>((resolve, reject) =>
    out.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the chart as PNG'))), 'image/png'));
}
