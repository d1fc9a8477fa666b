// Compares two screenshots of the <video> element: how far the decoded picture is from the clear
// rendition's, and whether it is a picture at all (a blank frame would "match" another blank frame).
import { PNG } from 'pngjs';

export interface PictureComparison {
  width: number;
  height: number;
  meanAbsDiff: number | null;
  maxAbsDiff: number | null;
  stdDev: number;
}

function lumaStdDev(img: PNG): number {
  let sum = 0;
  let sumSq = 0;
  const n = img.width * img.height;
  for (let i = 0; i < img.data.length; i += 4) {
    const y = 0.299 * img.data[i]! + 0.587 * img.data[i + 1]! + 0.114 * img.data[i + 2]!;
    sum += y;
    sumSq += y * y;
  }
  const mean = sum / n;
  return Math.sqrt(Math.max(0, sumSq / n - mean * mean));
}

export function comparePictures(shot: Buffer, reference: Buffer | null): PictureComparison {
  const a = PNG.sync.read(shot);
  const result: PictureComparison = {
    width: a.width,
    height: a.height,
    meanAbsDiff: null,
    maxAbsDiff: null,
    stdDev: Math.round(lumaStdDev(a) * 100) / 100,
  };
  if (!reference) return result;
  const b = PNG.sync.read(reference);
  if (a.width !== b.width || a.height !== b.height) return { ...result, meanAbsDiff: 255, maxAbsDiff: 255 };
  let total = 0;
  let max = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a.data[i + c]! - b.data[i + c]!);
      total += d;
      if (d > max) max = d;
    }
  }
  return { ...result, meanAbsDiff: Math.round((total / (a.width * a.height * 3)) * 100) / 100, maxAbsDiff: max };
}
