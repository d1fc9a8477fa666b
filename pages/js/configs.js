// @ts-check
// MediaKeySystemConfiguration builders: one init data type and session type with codecs that suit
// the container, the configuration an asset's tracks ask for, and a configuration in a few words.

/** @import { AssetInfo } from '../../model/manifest.ts' */

/**
 * A configuration of one init data type and session type, with codecs that suit the container.
 * @param {{ initDataType: string, sessionType?: MediaKeySessionType, encryptionScheme?: string | null }} options
 * @returns {MediaKeySystemConfiguration}
 */
export function mediaConfig({ initDataType, sessionType = 'temporary', encryptionScheme }) {
  const webm = initDataType === 'webm';
  /** @type {MediaKeySystemMediaCapability} */
  const video = { contentType: webm ? 'video/webm; codecs="vp9"' : 'video/mp4; codecs="avc1.42E01E"' };
  /** @type {MediaKeySystemMediaCapability} */
  const audio = { contentType: webm ? 'audio/webm; codecs="opus"' : 'audio/mp4; codecs="mp4a.40.2"' };
  if (encryptionScheme !== undefined) {
    video.encryptionScheme = encryptionScheme;
    audio.encryptionScheme = encryptionScheme;
  }
  return {
    initDataTypes: [initDataType],
    sessionTypes: [sessionType],
    videoCapabilities: [video],
    audioCapabilities: [audio],
  };
}

/**
 * A configuration in a few words, for reasons people read.
 * @param {MediaKeySystemConfiguration[]} configs
 * @returns {string}
 */
export function describeConfigs(configs) {
  return configs
    .map((c) => {
      const caps = [...(c.videoCapabilities ?? []), ...(c.audioCapabilities ?? [])]
        .map((cap) => cap.contentType)
        .join(' + ');
      return `initDataTypes ${c.initDataTypes?.join('/') ?? '-'}, sessionTypes ${c.sessionTypes?.join('/') ?? '-'}, ${caps || 'no capabilities'}`;
    })
    .join(' | ');
}

/**
 * A temporary-session configuration asking for exactly the asset's tracks, by init data type.
 * @param {Pick<AssetInfo, 'tracks' | 'initDataType'>} asset
 * @param {Array<string | null>} [initDataTypes]
 * @returns {MediaKeySystemConfiguration[]}
 */
export function accessConfigFor(asset, initDataTypes = [asset.initDataType]) {
  /** @param {'video' | 'audio'} type */
  const caps = (type) => asset.tracks.filter((t) => t.type === type).map((t) => ({ contentType: t.contentType }));
  return [
    {
      initDataTypes: /** @type {string[]} */ (initDataTypes),
      sessionTypes: ['temporary'],
      videoCapabilities: caps('video'),
      audioCapabilities: caps('audio'),
    },
  ];
}
