// Writes the PNG app icons in public/ (the same mark as public/icon.svg:
// a ring and a dot on a rounded square). No dependencies: pixels are drawn
// with signed distances and encoded with node:zlib. Run: npm run icons
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BG = [0x2d, 0x5e, 0x4f];
const FG = [0xf6, 0xf4, 0xef];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const clamp01 = (v) => Math.min(1, Math.max(0, v));

/** Signed distance to a rounded square of half-size h and corner radius r (units of 64). */
function roundedSquare(x, y, h, r) {
  const qx = Math.abs(x) - (h - r);
  const qy = Math.abs(y) - (h - r);
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  return outside + Math.min(Math.max(qx, qy), 0) - r;
}

/**
 * @param size   output pixels
 * @param maskable  full-bleed background, mark shrunk into the 80% safe zone
 */
function drawIcon(size, { maskable = false } = {}) {
  const rgba = Buffer.alloc(size * size * 4);
  const scale = 64 / size; // work in the SVG's 64-unit space
  const markScale = maskable ? 0.72 : 1;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const x = (px + 0.5) * scale - 32;
      const y = (py + 0.5) * scale - 32;
      const aa = scale; // one pixel of antialiasing
      const bgAlpha = maskable ? 1 : clamp01(0.5 - roundedSquare(x, y, 32, 14) / aa);
      const d = Math.hypot(x, y) / markScale;
      const ring = Math.abs(d - 15) - 2.5;
      const dot = d - 4.5;
      const fgAlpha = clamp01(0.5 - (Math.min(ring, dot) * markScale) / aa);
      const i = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) rgba[i + c] = Math.round(BG[c] + (FG[c] - BG[c]) * fgAlpha);
      rgba[i + 3] = Math.round(255 * bgAlpha);
    }
  }
  return encodePng(size, rgba);
}

const outputs = [
  ['icon-192.png', drawIcon(192)],
  ['icon-512.png', drawIcon(512)],
  ['icon-maskable-512.png', drawIcon(512, { maskable: true })],
  // iOS ignores transparency and rounds corners itself: use the full-bleed variant.
  ['apple-touch-icon.png', drawIcon(180, { maskable: true })],
];

for (const [name, png] of outputs) {
  writeFileSync(new URL(`../public/${name}`, import.meta.url), png);
  console.log(`public/${name}: ${png.length} bytes`);
}
