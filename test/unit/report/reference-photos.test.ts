import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { referenceFaces } from '../../../shared/report/reference-photos.ts';
import { putJson } from '../../../shared/storage/s3.ts';
import { faceCrop } from '../../../shared/vision/face-crop.ts';
import { useEmbeddedS3 } from '../local/embedded-s3-fixture.ts';

const s3 = useEmbeddedS3('reference-faces-test');

/** A white portrait photo with a red "face" at `box`, in upright pixels. */
const BOX = { x: 20, y: 120, width: 40, height: 40 };
async function uprightPhoto(): Promise<Buffer> {
  const face = await sharp({ create: { width: BOX.width, height: BOX.height, channels: 3, background: '#ff0000' } })
    .png()
    .toBuffer();
  return sharp({ create: { width: 100, height: 200, channels: 3, background: '#ffffff' } })
    .composite([{ input: face, left: BOX.x, top: BOX.y }])
    .png()
    .toBuffer();
}

async function centrePixel(dataUri: string): Promise<{ width: number; height: number; rgb: number[] }> {
  expect(dataUri).toMatch(/^data:image\/jpeg;base64,[A-Za-z0-9+/]+=*$/);
  const bytes = Buffer.from(dataUri.slice(dataUri.indexOf(',') + 1), 'base64');
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  const at = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
  return { width: info.width, height: info.height, rgb: [...data.subarray(at, at + 3)] };
}

describe('faceCrop', () => {
  it('crops the enrolled face with a margin into a small JPEG data: URI', async () => {
    const crop = await centrePixel(await faceCrop(await uprightPhoto(), BOX));
    // The box plus a quarter on each side: 60 px square, within the 96 px limit, so not enlarged.
    expect([crop.width, crop.height]).toEqual([60, 60]);
    expect(crop.rgb[0]).toBeGreaterThan(200);
    expect(crop.rgb[1]).toBeLessThan(60);
  });

  it('crops where enrolment saw the face in a photo stored sideways with an EXIF orientation', async () => {
    // Stored landscape, shown portrait: orientation 6 turns it 90° clockwise for display.
    const sideways = await sharp(await uprightPhoto())
      .rotate(270)
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(sideways).metadata()).width).toBe(200);
    const crop = await centrePixel(await faceCrop(sideways, BOX));
    expect(crop.rgb[0]).toBeGreaterThan(200);
    expect(crop.rgb[1]).toBeLessThan(60);
  });

  it('fits a large face into 96 px on its longer side', async () => {
    const large = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#808080' } })
      .jpeg()
      .toBuffer();
    const crop = await centrePixel(await faceCrop(large, { x: 200, y: 100, width: 400, height: 400 }));
    expect(Math.max(crop.width, crop.height)).toBe(96);
  });
});

describe('referenceFaces', () => {
  it("takes each person's face from the stored gallery, and names a person whose gallery has none", async () => {
    const { client, bucket } = s3();
    const ada = await faceCrop(await uprightPhoto(), BOX);
    await putJson(client, bucket, 'intermediate/j-1/gallery.json', {
      identities: [{ name: 'ada', face: ada }, { name: 'grace' }],
    });
    const { faces, problems } = await referenceFaces(client, bucket, 'intermediate/j-1/gallery.json');
    expect([...faces.keys()]).toEqual(['ada']);
    expect((await centrePixel(faces.get('ada')!)).rgb[0]).toBeGreaterThan(200);
    expect(problems).toEqual([expect.stringMatching(/^the reference photo of grace is not shown: its gallery was trained without a reference picture/)]);
  });
});
