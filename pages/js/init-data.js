// @ts-check
// Init data builders for the registered formats (https://www.w3.org/TR/eme-initdata-registry/).
import { fromHex, toBase64Url, utf8 } from './bytes.js';

export const COMMON_SYSTEM_ID = '1077efecc0b24d02ace33c1e52e2fb4b';

/** "keyids": UTF-8 JSON {"kids":[base64url, ...]}. */
/**
 * @param {string[]} hexKeyIds
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function keyIdsInitData(hexKeyIds) {
  return utf8(JSON.stringify({ kids: hexKeyIds.map((kid) => toBase64Url(fromHex(kid))) }));
}

/** "cenc": one version 1 'pssh' box with the Common system id, listing the key ids and no data. */
/**
 * @param {string[]} hexKeyIds
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function cencInitData(hexKeyIds) {
  const size = 32 + 16 * hexKeyIds.length + 4;
  const box = new Uint8Array(size);
  const view = new DataView(box.buffer);
  view.setUint32(0, size);
  box.set(utf8('pssh'), 4);
  view.setUint32(8, 0x01000000); // version 1, flags 0
  box.set(fromHex(COMMON_SYSTEM_ID), 12);
  view.setUint32(28, hexKeyIds.length);
  hexKeyIds.forEach((kid, i) => {
    box.set(fromHex(kid), 32 + 16 * i);
  });
  view.setUint32(size - 4, 0); // no system-specific data
  return box;
}

/** "webm": the raw key id of one encrypted WebM track. */
/**
 * @param {string} hexKeyId
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function webmInitData(hexKeyId) {
  return fromHex(hexKeyId);
}

/**
 * Init data of a registered type naming these key ids.
 * @param {string} initDataType 'keyids', 'cenc' or 'webm'
 * @param {string[]} hexKeyIds
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function buildInitData(initDataType, hexKeyIds) {
  switch (initDataType) {
    case 'keyids':
      return keyIdsInitData(hexKeyIds);
    case 'cenc':
      return cencInitData(hexKeyIds);
    case 'webm':
      if (hexKeyIds.length !== 1) throw new Error('webm init data names exactly one key id');
      return webmInitData(/** @type {string} */ (hexKeyIds[0]));
    default:
      throw new Error(`no init data builder for ${initDataType}`);
  }
}
