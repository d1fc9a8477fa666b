// A certificate for the HTTPS origin, made fresh at every start: no private key is ever committed,
// and browsers are told to accept it (Playwright ignoreHTTPSErrors, WebDriver acceptInsecureCerts).
import selfsigned from 'selfsigned';

export interface Certificate {
  key: string;
  cert: string;
  fingerprint: string;
}

export async function makeCertificate(hostNames: string[]): Promise<Certificate> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: hostNames[0] ?? 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...hostNames.map((value) => ({ type: 2 as const, value })), { type: 7 as const, ip: '127.0.0.1' }],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert, fingerprint: pems.fingerprint };
}
