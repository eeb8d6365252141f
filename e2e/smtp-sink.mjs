// An SMTP sink for the browser suite: accepts every message Portero sends
// (plain SMTP on 127.0.0.1, no authentication) and writes each one into
// MAIL_DIR as NNNN.eml (as received) and NNNN.json (recipients, subject,
// text and HTML parts, decoded), which the scenarios read.
//
//   node e2e/smtp-sink.mjs PORT MAIL_DIR
//
// Prints "smtp-sink listening on PORT" once it accepts connections.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const [port, dir] = process.argv.slice(2);
if (!port || !dir) {
  console.error('usage: node smtp-sink.mjs PORT MAIL_DIR');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
let count = 0;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  size: 1024 * 1024,
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', async () => {
      try {
        const raw = Buffer.concat(chunks);
        const parsed = await simpleParser(raw);
        count += 1;
        const name = String(count).padStart(4, '0');
        writeFileSync(join(dir, `${name}.eml`), raw);
        const message = {
          envelope_to: session.envelope.rcptTo.map((r) => r.address),
          from: parsed.from?.text ?? '',
          to: parsed.to?.text ?? '',
          subject: parsed.subject ?? '',
          date: parsed.date?.toISOString() ?? null,
          message_id: parsed.messageId ?? null,
          text: parsed.text ?? '',
          html: typeof parsed.html === 'string' ? parsed.html : '',
        };
        // Written whole, then renamed: a reader never sees half a file.
        writeFileSync(join(dir, `${name}.json.tmp`), JSON.stringify(message, null, 2));
        renameSync(join(dir, `${name}.json.tmp`), join(dir, `${name}.json`));
        callback();
      } catch (error) {
        callback(error);
      }
    });
  },
});

server.on('error', (error) => console.error(`smtp-sink: ${error.message}`));
server.listen(Number(port), '127.0.0.1', () => console.log(`smtp-sink listening on ${port}`));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
