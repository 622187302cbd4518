import { expect } from 'chai';
import { messageId, render } from '../../../src/adapters/mail/templates.js';
import type { MailKind, MailToSend } from '../../../src/application/email/ports.js';

const branding = { publicUrl: 'https://id.example.test/', productName: 'Acme <ID> & Co', from: 'x <no-reply@id.example.test>' };
const mail = (kind: MailKind, params: Record<string, string> = {}): MailToSend => ({
  seq: 1,
  id: '01900000-0000-7000-8000-000000000001',
  kind,
  to: 'ada@example.com',
  params: { username: 'ada', ...params },
  attempts: 1,
});

describe('mail templates', () => {
  it('put the token of a verification or reset link in the fragment, in both parts', () => {
    for (const [kind, page] of [
      ['verify-email', 'verify-email'],
      ['password-reset', 'reset-password'],
    ] as const) {
      const out = render(mail(kind, { token: 'tok_EN-123' }), branding);
      const link = `https://id.example.test/ui/${page}#token=tok_EN-123`;
      expect(out.link).to.equal(link);
      expect(out.text).to.include(link);
      expect(out.html).to.include(`href="${link}"`);
      expect(link.split('#')[0]).not.to.include('tok_EN');
    }
  });

  it('name the service in the subject and both parts, escaped in HTML', () => {
    for (const kind of [
      'verify-email',
      'password-reset',
      'email-changed',
      'password-changed',
      'recovery-code-used',
      'passkey-clone-suspected',
    ] as const) {
      const out = render(mail(kind, { token: 't' }), branding);
      expect(out.subject, kind).to.include('Acme <ID> & Co');
      expect(out.text, kind).to.include('Acme <ID> & Co');
      expect(out.html, kind).to.include('Acme &lt;ID&gt; &amp; Co').and.not.include('<ID>');
      expect(out.text.length, kind).to.be.below(600); // short
    }
  });

  it('carry no link in notices, and say how the password changed', () => {
    expect(render(mail('email-changed'), branding).link).to.equal(undefined);
    expect(render(mail('password-changed', { reason: 'reset' }), branding).text).to.include('reset with a link');
    expect(render(mail('password-changed', { reason: 'change' }), branding).text).not.to.include('reset with a link');
  });

  it('tell of a used recovery code (how many are left) and of a suspected passkey copy (its name, escaped), without a link', () => {
    const used = render(mail('recovery-code-used', { remaining: '7' }), branding);
    expect(used.link).to.equal(undefined);
    expect(used.text).to.include('7 unused codes are left');
    const clone = render(mail('passkey-clone-suspected', { passkeyName: 'Ada <phone>' }), branding);
    expect(clone.link).to.equal(undefined);
    expect(clone.text).to.include('"Ada <phone>"');
    expect(clone.html).to.include('Ada &lt;phone&gt;').and.not.include('<phone>');
  });

  it('make the Message-ID from the queue id and the public host: the same on every retry', () => {
    expect(messageId(mail('verify-email'), branding.publicUrl)).to.equal('<01900000-0000-7000-8000-000000000001@id.example.test>');
  });
});
