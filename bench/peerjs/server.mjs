// Starts the PeerJS server on loopback for the benchmark: `node server.mjs PORT`.
// The connection limit is raised past the per-process file limit so that the file limit, not PeerJS's own
// default of 5,000, is what bounds it, as it bounds Peercall.
import { PeerServer } from "peer";

const port = Number(process.argv[2] ?? 9000);
const server = PeerServer({
  host: "127.0.0.1",
  port,
  path: "/",
  key: "peerjs",
  concurrent_limit: 1_000_000,
});
server.on("error", (error) => console.error(`peerjs error: ${error?.message ?? error}`));
console.log(`peerjs listening on 127.0.0.1:${port}`);
