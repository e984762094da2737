// The socket.io connection to Rasa. On every (re)connection it asks for the conversation's session
// again, so the socket joins that conversation's room, and only then sends what the person typed:
// a message sent before the session is confirmed would be answered into a room nobody is in.
import { io } from "socket.io-client";

export function connect({ serverUrl, sessionId, onSession, onMessage, onOnline, onOffline }) {
  const socket = io(serverUrl, { reconnectionDelayMax: 5000 });
  const outbox = [];
  let ready = false;

  const deliver = ({ message, metadata }) =>
    socket.emit("user_uttered", { message, metadata, session_id: sessionId() });

  socket.on("connect", () => socket.emit("session_request", { session_id: sessionId() }));
  socket.on("session_confirm", (id) => {
    onSession(id);
    ready = true;
    onOnline();
    outbox.splice(0).forEach(deliver);
  });
  socket.on("bot_uttered", onMessage);
  socket.on("connect_error", onOffline);
  socket.on("disconnect", (reason) => {
    ready = false;
    onOffline();
    // socket.io reconnects by itself unless the server closed the socket on purpose.
    if (reason === "io server disconnect") socket.connect();
  });

  return {
    send(message, metadata) {
      if (ready) deliver({ message, metadata });
      else outbox.push({ message, metadata });
    },
  };
}
