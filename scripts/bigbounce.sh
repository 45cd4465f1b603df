#!/bin/sh
# scripts/bigbounce.sh OUT [BYTES] - writes a Postfix-style DSN of just
# under BYTES (default 4 MiB, the largest paste the diagnosis accepts):
# DIAG_MAX_RCPT recipients in the human part and the delivery report, then
# the returned message's body padded with log-like lines up to the size.
set -u
out=${1:?usage: bigbounce.sh OUT [BYTES]}
max=${2:-4194304}
awk -v max="$max" 'BEGIN {
	b = "B1.1741078931/relay1.example.net"
	s = "Return-Path: <>\nFrom: MAILER-DAEMON@relay1.example.net\n" \
	    "To: claire@shop.example.fr\nSubject: Undelivered Mail Returned " \
	    "to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; " \
	    "report-type=delivery-status;\n\tboundary=\"" b "\"\n\n" \
	    "--" b "\nContent-Type: text/plain; charset=us-ascii\n\n" \
	    "This is the mail system at host relay1.example.net.\n\n"
	for (i = 0; i < 256; i++)
		s = s sprintf("<user%d@client.example.org>: host " \
		    "mx1.client.example.org[198.51.100.7] said: 550 5.1.1 " \
		    "<user%d@client.example.org>: Recipient address rejected: " \
		    "User unknown (in reply to RCPT TO command)\n\n", i, i)
	s = s "--" b "\nContent-Type: message/delivery-status\n\n" \
	    "Reporting-MTA: dns; relay1.example.net\n\n"
	for (i = 0; i < 256; i++)
		s = s sprintf("Final-Recipient: rfc822; user%d@client.example.org\n" \
		    "Action: failed\nStatus: 5.1.1\nRemote-MTA: dns; " \
		    "mx1.client.example.org\nDiagnostic-Code: smtp; 550 5.1.1 " \
		    "<user%d@client.example.org>: User unknown\n\n", i, i)
	s = s "--" b "\nContent-Type: text/plain; charset=us-ascii\n\n"
	tail = "\n--" b "--\n"
	printf "%s", s
	n = length(s) + length(tail)
	for (i = 0; ; i++) {
		l = sprintf("Mar  4 10:02:%02d relay1 postfix/smtp[%d]: 3F1A2B: " \
		    "to=<user%d@client.example.org>, relay=mx1.client.example.org" \
		    ", status=bounced (550 5.1.1 User unknown)\n", i % 60,
		    1000 + i, i % 256)
		if (n + length(l) > max - 1)
			break
		printf "%s", l
		n += length(l)
	}
	printf "%s", tail
}' >"$out"
