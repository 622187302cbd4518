import type { MailToSend } from '../../application/email/ports.js';

export interface MailBranding {
  /** Where the service's pages live: links are made from it. */
  publicUrl: string;
  /** The service's name as users know it. */
  productName: string;
  from: string;
}

export interface MailContent {
  subject: string;
  text: string;
  html: string;
  /** The link the message carries, if any (the .eml writer prints it in development). */
  link?: string;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The token rides in the fragment: a browser never sends it to a server, so it reaches no access log, proxy
 * or Referer, and opening the link changes nothing (a mail scanner that follows links uses nothing up).
 */
const linkTo = (publicUrl: string, page: string, token: string): string =>
  `${publicUrl.replace(/\/+$/, '')}/ui/${page}#token=${encodeURIComponent(token)}`;

interface Draft {
  subject: string;
  paragraphs: string[];
  link?: { href: string; label: string };
  footer: string;
}

function draft(mail: MailToSend, b: MailBranding): Draft {
  const name = mail.params.username ?? 'there';
  const notYou = 'If this was not you, reset your password at once and tell your administrator.';
  switch (mail.kind) {
    case 'verify-email':
      return {
        subject: `Confirm your email address for ${b.productName}`,
        paragraphs: [
          `Hello ${name},`,
          `please confirm that this is your address for your ${b.productName} account. The link works once, for 24 hours.`,
        ],
        link: { href: linkTo(b.publicUrl, 'verify-email', mail.params.token ?? ''), label: 'Confirm my address' },
        footer: 'If you did not ask for this, ignore this message: nothing changes.',
      };
    case 'password-reset':
      return {
        subject: `Reset your ${b.productName} password`,
        paragraphs: [`Hello ${name},`, 'somebody asked to reset the password of your account. The link works once, for 30 minutes.'],
        link: { href: linkTo(b.publicUrl, 'reset-password', mail.params.token ?? ''), label: 'Choose a new password' },
        footer: 'If you did not ask for this, ignore this message: your password stays as it is.',
      };
    case 'email-changed':
      return {
        subject: `The email address of your ${b.productName} account was changed`,
        paragraphs: [`Hello ${name},`, `the email address of your ${b.productName} account was changed; mail now goes to the new address.`],
        footer: notYou,
      };
    case 'password-changed':
      return {
        subject: `Your ${b.productName} password was changed`,
        paragraphs: [
          `Hello ${name},`,
          mail.params.reason === 'reset'
            ? `the password of your ${b.productName} account was reset with a link sent to this address, and every session was ended.`
            : `the password of your ${b.productName} account was changed.`,
        ],
        footer: notYou,
      };
    case 'recovery-code-used':
      return {
        subject: `A recovery code of your ${b.productName} account was used`,
        paragraphs: [
          `Hello ${name},`,
          `one of the recovery codes of your ${b.productName} account was used to sign in or to confirm a change; ${mail.params.remaining ?? 'some'} unused codes are left. A used code works no more.`,
        ],
        footer:
          'If this was not you, somebody has your password and a recovery code: change your password, make a new set of recovery codes, and tell your administrator.',
      };
    case 'passkey-clone-suspected':
      return {
        subject: `A copy of one of your ${b.productName} passkeys may exist`,
        paragraphs: [
          `Hello ${name},`,
          `a sign-in with your passkey "${mail.params.passkeyName ?? ''}" was refused: its signature counter went back, which happens when the passkey was copied to another device. The passkey itself still works.`,
        ],
        footer: 'If you did not copy it, delete this passkey, register a new one, and tell your administrator.',
      };
  }
}

/** Short plain-text and HTML parts that say the same, naming the service. */
export function render(mail: MailToSend, branding: MailBranding): MailContent {
  const d = draft(mail, branding);
  const text = [...d.paragraphs, ...(d.link ? [`${d.link.label}: ${d.link.href}`] : []), d.footer, `-- ${branding.productName}`].join(
    '\n\n',
  );
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">',
    ...d.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(d.link ? [`<p><a href="${escapeHtml(d.link.href)}">${escapeHtml(d.link.label)}</a></p>`] : []),
    `<p style="color:#555">${escapeHtml(d.footer)}</p>`,
    `<p style="color:#555">${escapeHtml(branding.productName)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: d.subject, text: `${text}\n`, html, link: d.link?.href };
}

/** A Message-ID made from the queue row's id: the same on every retry, so a receiver can drop repeats. */
export function messageId(mail: MailToSend, publicUrl: string): string {
  return `<${mail.id}@${new URL(publicUrl).hostname || 'localhost'}>`;
}
