import QRCode from 'qrcode';
import type { QrCodes } from '../../application/mfa/ports.js';

export class QrcodeSvg implements QrCodes {
  svg(text: string): Promise<string> {
    return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  }
}
