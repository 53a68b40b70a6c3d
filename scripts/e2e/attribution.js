/**
 * Which n8n process sent each request a simulator answered: our HTTP client logs nothing through n8n's logger, so
 * the requests are attributed on the wire. When a simulator answers, the client's end of the TCP connection is
 * looked up in /proc/net/tcp (its local port is the request's remote port) and the process holding that socket
 * among the cluster's processes (/proc/<pid>/fd) is the sender. Connections are cached by port; one whose owner is
 * not found (closed already, another process) counts as unattributed. Linux only.
 */
const fs = require('node:fs');

const hexPort = (addr) => parseInt(addr.split(':')[1], 16);

/** Socket inode of the loopback connection from `clientPort` to `serverPort`, if open. */
function inodeOf(clientPort, serverPort) {
	for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
		let text;
		try {
			text = fs.readFileSync(file, 'utf8');
		} catch {
			continue;
		}
		for (const line of text.split('\n').slice(1)) {
			const f = line.trim().split(/\s+/);
			if (f.length < 10) continue;
			if (hexPort(f[1]) === clientPort && hexPort(f[2]) === serverPort) return f[9];
		}
	}
	return undefined;
}

/** Which of `procs` ({name, pid}) holds socket `inode`. */
function ownerOf(inode, procs) {
	const target = `socket:[${inode}]`;
	for (const p of procs) {
		let fds;
		try {
			fds = fs.readdirSync(`/proc/${p.pid}/fd`);
		} catch {
			continue;
		}
		for (const fd of fds) {
			try {
				if (fs.readlinkSync(`/proc/${p.pid}/fd/${fd}`) === target) return p.name;
			} catch {
				/* closed meanwhile */
			}
		}
	}
	return undefined;
}

/**
 * Watches the answers of started simulators (`{label: sim}`) and records each request that came over the wire
 * (the inner requests of a `$batch` or composite call have no socket and are left out) as
 * {at, durationMs, status, kind, owner}, the owner being the sending process among `procs()` (evaluated when a
 * request comes: processes may be started later) or 'unattributed'.
 * `entries(label)` → the requests; `tally()` → {label: {owner: {requests, s429}}}.
 */
function attributeRequests(sims, procs) {
	const entries = {};
	for (const [label, sim] of Object.entries(sims)) {
		const serverPort = Number(new URL(sim.server.url).port);
		const owners = new Map();
		entries[label] = [];
		sim.server.onResponse((req, reply) => {
			const port = req.raw?.socket?.remotePort;
			if (port === undefined) return;
			let owner = owners.get(port);
			if (owner === undefined) {
				const inode = inodeOf(port, serverPort);
				owner = inode ? ownerOf(inode, procs()) : undefined;
				if (owner) owners.set(port, owner);
			}
			entries[label].push({
				at: req.startedAt,
				durationMs: Date.now() - req.startedAt,
				status: reply.status,
				kind: req.kind,
				owner: owner ?? 'unattributed',
			});
		});
	}
	return {
		entries: (label) => entries[label],
		tally() {
			const out = {};
			for (const [label, list] of Object.entries(entries)) {
				out[label] = {};
				for (const e of list) {
					const bucket = (out[label][e.owner] ??= { requests: 0, s429: 0 });
					bucket.requests++;
					if (e.status === 429) bucket.s429++;
				}
			}
			return out;
		},
	};
}

module.exports = { attributeRequests };
