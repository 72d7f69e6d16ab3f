// Shrink receipt photos in the browser before upload, so that phone photos over the
// server's 2 MiB limit still get through. Dependency-free ES module; see docs/uploads.md.
//
//   import { shrinkForUpload, ShrinkError } from "/static/receipts/shrink.js";
//   const upload = await shrinkForUpload(input.files[0]);   // File (a Blob) to send
//
// PDFs are returned untouched (the server refuses them over 2 MiB; a PDF cannot be
// shrunk safely here). Images that already fit as JPEG or PNG are returned untouched
// too, unless `always` is set; everything else is drawn upright on a canvas and
// re-encoded as JPEG, lowering the quality and then the size step by step until the
// result is at most `maxBytes`.

/** Target size: below the server's 2,097,152-byte limit, with room for multipart overhead. */
export const MAX_BYTES = 2_000_000;

// Qualities tried at each size before the image is made smaller.
const QUALITIES = [0.9, 0.8, 0.7];
// Long side to start from: plenty for reading a receipt, and it keeps the canvas
// under iOS Safari's ~16.7-megapixel canvas limit.
const START_LONG_SIDE = 4096;
const MAX_CANVAS_PIXELS = 16_000_000;
const MAX_ROUNDS = 10;
const MIN_LONG_SIDE = 320;

/** An image the browser could not turn into a small enough JPEG. */
export class ShrinkError extends Error {
  /**
   * @param {"unsupported_type" | "file_too_large"} code same codes as the server's refusals
   * @param {string} message English text for logs; show the translated server message instead
   */
  constructor(code, message) {
    super(message);
    this.name = "ShrinkError";
    this.code = code;
  }
}

/**
 * Return a File (a Blob) that is safe to upload: PDFs untouched, images as JPEG ≤ maxBytes.
 *
 * @param {File} file what the user picked
 * @param {{maxBytes?: number, always?: boolean}} [options]
 *   maxBytes: size to get under (default MAX_BYTES);
 *   always: re-encode even images that already fit, which strips EXIF/GPS on the device
 * @returns {Promise<File>}
 */
export async function shrinkForUpload(file, { maxBytes = MAX_BYTES, always = false } = {}) {
  const head = await sniff(file);
  if (head === "pdf") {
    return file;
  }
  if (!always && file.size <= maxBytes && (head === "jpeg" || head === "png")) {
    return file;
  }
  const bitmap = await decodeUpright(file);
  try {
    return await encodeUnder(bitmap, maxBytes, jpegName(file.name));
  } finally {
    bitmap.close();
  }
}

/** Tell what the file is from its first bytes, since phones often send no or a wrong type. */
async function sniff(file) {
  const bytes = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  const starts = (...sig) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return "pdf"; // %PDF-
  if (starts(0xff, 0xd8, 0xff)) return "jpeg";
  if (starts(0x89, 0x50, 0x4e, 0x47)) return "png";
  return "other"; // HEIC, WebP, GIF …: re-encoded if this browser can decode them
}

/** Decode with the EXIF orientation applied to the pixels. */
async function decodeUpright(file) {
  try {
    return await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch (error) {
    // Older engines reject the option value but already honour EXIF by default.
    if (error instanceof TypeError) {
      try {
        return await createImageBitmap(file);
      } catch {
        // fall through to the refusal below
      }
    }
    throw new ShrinkError("unsupported_type", `cannot decode ${file.type || "this file"}`);
  }
}

/** Encode as JPEG, lowering quality, then scale, until the result fits. */
async function encodeUnder(bitmap, maxBytes, name) {
  const longSide = Math.max(bitmap.width, bitmap.height);
  let scale = Math.min(
    1,
    START_LONG_SIDE / longSide,
    Math.sqrt(MAX_CANVAS_PIXELS / (bitmap.width * bitmap.height)),
  );
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = draw(bitmap, width, height);
    let size = Infinity;
    for (const quality of QUALITIES) {
      const blob = await toJpeg(canvas, quality);
      if (blob.size <= maxBytes) {
        return new File([blob], name, { type: "image/jpeg", lastModified: Date.now() });
      }
      size = blob.size;
    }
    if (longSide * scale <= MIN_LONG_SIDE) {
      break;
    }
    // JPEG size grows roughly with the pixel count, so scale by the square root of
    // how far off we are, but never by less than 10 % or more than half per round.
    scale *= Math.min(0.9, Math.max(0.5, Math.sqrt(maxBytes / size) * 0.95));
  }
  throw new ShrinkError("file_too_large", "could not make the image small enough");
}

/** Draw the bitmap on a white canvas of the given size (transparency becomes white). */
function draw(bitmap, width, height) {
  const canvas =
    typeof OffscreenCanvas === "function"
      ? new OffscreenCanvas(width, height)
      : Object.assign(document.createElement("canvas"), { width, height });
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, width, height);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, width, height);
  return canvas;
}

/** Encode a canvas as JPEG with either canvas API. */
function toJpeg(canvas, quality) {
  if (typeof canvas.convertToBlob === "function") {
    return canvas.convertToBlob({ type: "image/jpeg", quality });
  }
  return new Promise((resolve, reject) => {
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new ShrinkError("unsupported_type", "toBlob failed"))),
      "image/jpeg",
      quality,
    );
  });
}

/** Give the shrunk file a .jpg name (only for display; the server ignores it). */
function jpegName(name) {
  const stem = (name || "receipt").replace(/\.[^./\\]*$/, "") || "receipt";
  return `${stem}.jpg`;
}
