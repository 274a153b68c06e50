// Drives Peercall's hub with the official SignalR JavaScript client, as a web page would, for
// OfficialJavaScriptClientTests.
//
//   PEERCALL_ACCESS_TOKEN=<jwt> node hub-client.mjs <hub url>
//
// Connects over WebSockets only, then reads commands as JSON lines on stdin:
//   {"batch": 1, "invoke": [{"method": "SendSignal", "args": [...]}, ...]}
//       invokes every method in the same tick, without awaiting in between, so that the client sends them in
//       one WebSocket message, and reports each outcome;
//   {"state": true}   reports the connection's state;
//   {"stop": true}    stops the connection and exits (so does the end of stdin).
// and writes what happened as JSON lines on stdout, one object with an "event" each:
//   connected, start-failed {error}, sent {length} (one WebSocket message), result {batch, index, result},
//   error {batch, index, message} (a hub error), received {method, args}, state {state}, closed {error}.
import * as readline from "node:readline";
import signalR from "@microsoft/signalr";

const { HubConnectionBuilder, HttpTransportType, LogLevel } = signalR;
const url = process.argv[2];
const accessToken = process.env.PEERCALL_ACCESS_TOKEN;
if (!url || !accessToken) {
  console.error("Usage: PEERCALL_ACCESS_TOKEN=<jwt> node hub-client.mjs <hub url>");
  process.exit(2);
}

const report = (event) => process.stdout.write(JSON.stringify(event) + "\n");

// The client logs each WebSocket message it sends at Trace level with its length: that is how the test sees
// that a batch really left as one message. Warnings and errors go to stderr for the test's failure messages.
const sentData = /^\(WebSockets transport\) sending data\. String data of length (\d+)\.$/;
const logger = {
  log(level, message) {
    const sent = sentData.exec(message);
    if (sent) report({ event: "sent", length: Number(sent[1]) });
    else if (level >= LogLevel.Warning) console.error(`[${LogLevel[level]}] ${message}`);
  },
};

const connection = new HubConnectionBuilder()
  .withUrl(url, {
    transport: HttpTransportType.WebSockets,
    skipNegotiation: true,
    accessTokenFactory: () => accessToken,
  })
  .configureLogging(logger)
  .build();

for (const method of ["PresenceChanged", "ContactAdded", "IncomingCall", "CallStateChanged", "Signal"])
  connection.on(method, (...args) => report({ event: "received", method, args }));

let exiting = false;
connection.onclose((error) => {
  report({ event: "closed", error: error ? String(error.message ?? error) : null });
  if (!exiting) process.exitCode = 1;
});

try {
  await connection.start();
} catch (error) {
  report({ event: "start-failed", error: String(error.message ?? error) });
  process.exit(1);
}
report({ event: "connected" });

async function stop() {
  if (exiting) return;
  exiting = true;
  await connection.stop();
  process.exit();
}

const commands = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
commands.on("line", (line) => {
  if (!line.trim()) return;
  const command = JSON.parse(line);
  if (command.invoke) {
    command.invoke.forEach(({ method, args }, index) =>
      connection.invoke(method, ...(args ?? [])).then(
        (result) => report({ event: "result", batch: command.batch, index, result: result ?? null }),
        (error) => report({ event: "error", batch: command.batch, index, message: String(error.message ?? error) })));
  } else if (command.state) {
    report({ event: "state", state: connection.state });
  } else if (command.stop) {
    stop();
  }
});
commands.on("close", stop);
