// `npm run media`: (re)makes the ffmpeg sources in media/source/ (--sources), packages every asset of
// assets.ts (clear and encrypted renditions, each with its index) and writes media/manifest.json. `--check` writes nothing and fails if the committed files
// differ from what the packager makes now.
import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeyStore } from '../../model/keystore.ts';
import { CLEAR_SOURCES, buildAssets } from './assets.ts';

const MEDIA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** ffmpeg arguments per clear source: 2 s, 320x180, 1 s fragments, bit-exact so reruns match. */
const FFMPEG: Record<keyof typeof CLEAR_SOURCES, string[]> = {
  h264: [
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x180:rate=25:duration=2',
    '-c:v',
    'libx264',
    '-profile:v',
    'main',
    '-pix_fmt',
    'yuv420p',
    '-g',
    '25',
    '-keyint_min',
    '25',
    '-sc_threshold',
    '0',
    '-bf',
    '0',
    '-threads',
    '1',
    '-fflags',
    '+bitexact',
    '-flags:v',
    '+bitexact',
    '-map_metadata',
    '-1',
    '-movflags',
    'frag_keyframe+empty_moov+default_base_moof',
    '-an',
  ],
  aac: [
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=44100:duration=2',
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-ac',
    '2',
    '-fflags',
    '+bitexact',
    '-flags:a',
    '+bitexact',
    '-map_metadata',
    '-1',
    '-frag_duration',
    '1000000',
    '-movflags',
    'frag_keyframe+empty_moov+default_base_moof',
  ],
  vp9: [
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x180:rate=25:duration=2',
    '-c:v',
    'libvpx-vp9',
    '-b:v',
    '200k',
    '-g',
    '25',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-threads',
    '1',
    '-fflags',
    '+bitexact',
    '-flags:v',
    '+bitexact',
    '-map_metadata',
    '-1',
    '-an',
  ],
  opus: [
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000:duration=2',
    '-c:a',
    'libopus',
    '-b:a',
    '64k',
    '-fflags',
    '+bitexact',
    '-flags:a',
    '+bitexact',
    '-map_metadata',
    '-1',
    '-vn',
  ],
};

function makeSources(): void {
  for (const [name, args] of Object.entries(FFMPEG) as [keyof typeof CLEAR_SOURCES, string[]][]) {
    const out = join(MEDIA_DIR, CLEAR_SOURCES[name]);
    mkdirSync(dirname(out), { recursive: true });
    const run = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, out], {
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    if (run.error) throw new Error(`cannot run ffmpeg (apt-get install ffmpeg): ${run.error.message}`);
    if (run.status !== 0) throw new Error(`ffmpeg failed for ${CLEAR_SOURCES[name]}: ${run.stderr.toString().trim()}`);
    console.log(`media: ${CLEAR_SOURCES[name]} (${readFileSync(out).length} bytes)`);
  }
}

const program = new Command('media')
  .description("Make the project's test media: sources (ffmpeg), then clear and encrypted renditions (our packager).")
  .option('--sources', 'also remake media/source/ with ffmpeg (needs ffmpeg; same ffmpeg build → same bytes)')
  .option('--check', 'write nothing; exit 1 if committed assets differ from a fresh build')
  .showHelpAfterError()
  .parse();
const opts = program.opts<{ sources?: boolean; check?: boolean }>();

try {
  if (opts.sources && !opts.check) makeSources();
  for (const rel of Object.values(CLEAR_SOURCES)) {
    if (!existsSync(join(MEDIA_DIR, rel))) throw new Error(`source ${rel} is missing: run with --sources`);
  }
  const { files, manifest } = buildAssets(MEDIA_DIR, KeyStore.load(join(MEDIA_DIR, 'keys.json')));
  files.set('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  const changed: string[] = [];
  for (const [rel, bytes] of files) {
    const path = join(MEDIA_DIR, rel);
    const same = existsSync(path) && readFileSync(path).equals(bytes);
    if (same) continue;
    changed.push(rel);
    if (!opts.check) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
    }
  }
  if (opts.check) {
    if (changed.length) {
      console.error(
        `media: ${changed.length} file(s) differ from a fresh build: ${changed.join(', ')} (run npm run media)`,
      );
      process.exit(1);
    }
    console.log(`media: ${files.size} files match a fresh build`);
  } else {
    console.log(
      `media: ${files.size} files, ${changed.length} changed${changed.length ? `: ${changed.join(', ')}` : ''}`,
    );
  }
} catch (err) {
  console.error(`media: ${(err as Error).message}`);
  process.exit(1);
}
