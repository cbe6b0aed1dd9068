"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests of the real PTB Application.

It answers the methods the bot uses, queues updates that tests push, records every request,
can fail chosen calls with Telegram's real status codes and JSON envelope, and refuses with 400, as
Telegram does, what Telegram refuses (telegramhtml.py: HTML it cannot parse, text too long, button
data too long, a button without an action, a callback answer too long; and here, an edit that changes
nothing in a message it sent: "message is not modified").
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from telegramhtml import content, request_error

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Readouts", "username": "readouts_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}
JSON_PARAMS = {"reply_markup", "results", "commands", "allowed_updates", "entities", "link_preview_options",
               "reply_parameters", "button"}


_ADMIN_RIGHTS = {"can_be_edited": False, "is_anonymous": False, "can_manage_chat": True, "can_delete_messages": False,
                 "can_manage_video_chats": False, "can_restrict_members": False, "can_promote_members": False,
                 "can_change_info": False, "can_invite_users": True, "can_post_stories": False,
                 "can_edit_stories": False, "can_delete_stories": False}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default listen backlog of 5 drops connections when a loaded bot opens many at once; the
    # client then retries after 1, 3, 7... seconds: stalls of a fake server, not of the bot.
    request_queue_size = 1024

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up (the bot stopping mid-poll) are normal here; anything else is raised loudly."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass(frozen=True)
class Upload:
    """A file sent as multipart/form-data (sendDocument): its name and bytes."""

    filename: str
    content: bytes


def _form_data(content_type: str, raw: bytes) -> dict[str, Any]:
    """A multipart/form-data body as params: fields as text (JSON fields decoded later), files as Upload."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        params[name] = Upload(filename, content) if filename else content.decode()
    return params


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    status: int
    at: float


class FakeBotApi:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self._updates: list[dict] = []
        self._failures: defaultdict[str, deque[tuple[int, int | None]]] = defaultdict(deque)
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._messages: dict[tuple[int, int], tuple[tuple[str, tuple], Any]] = {}  # (chat, message) -> content, markup
        self._changed = threading.Condition()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeBotApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what tests push in -------------------------------------------------
    def push(self, **update: Any) -> int:
        with self._changed:
            update_id = next(self._ids)
            self._updates.append({"update_id": update_id, **update})
            self._changed.notify_all()
            return update_id

    def user(self, user_id: int) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}

    def message(self, user_id: int, text: str, chat_id: int | None = None, chat_type: str = "private",
                entities: list[dict] | None = None) -> int:
        return self.push(**self.message_update(user_id, text, chat_id, chat_type, entities))

    def message_update(self, user_id: int | None, text: str, chat_id: int | None = None, chat_type: str = "private",
                       entities: list[dict] | None = None, sender_chat: dict | None = None,
                       reply_to: dict | None = None, language: str | None = None) -> dict:
        """A message update (not queued): `user_id` None sends it without `from`; `sender_chat`
        sends it on behalf of a chat (a channel, or the group itself for an anonymous admin);
        `reply_to` is the message it replies to; `language` the sender's Telegram language code."""
        chat = {"id": chat_id or user_id, "type": chat_type}
        if chat_type != "private":
            chat["title"] = "A group"
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat, "text": text}
        if user_id is not None:
            message["from"] = self.user(user_id) | ({"language_code": language} if language else {})
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if sender_chat is not None:
            message["sender_chat"] = sender_chat
        if entities is None and text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if entities:
            message["entities"] = entities
        return {"message": message}

    def sticker(self, user_id: int) -> int:
        return self.push(message={"message_id": next(self._message_ids), "date": int(time.time()),
                                  "chat": {"id": user_id, "type": "private"}, "from": self.user(user_id),
                                  "sticker": {"file_id": "s1", "file_unique_id": "u1", "type": "regular",
                                              "width": 512, "height": 512, "is_animated": False,
                                              "is_video": False}})

    def callback(self, user_id: int, data: str, message_id: int, chat_id: int | None = None) -> int:
        return self.push(**self.callback_update(user_id, data, message_id, chat_id))

    def callback_update(self, user_id: int, data: str | None, message_id: int | None = None,
                        chat_id: int | None = None, chat_type: str | None = None) -> dict:
        """A callback query (not queued): on a message of the bot's in `chat_id`, or, with no
        `message_id`, on an inline message (no message, no chat)."""
        query = {"id": str(next(self._ids)), "from": self.user(user_id), "chat_instance": "ci"}
        if data is not None:
            query["data"] = data
        if message_id is None:
            query["inline_message_id"] = f"inline-{query['id']}"
        else:
            chat_id = chat_id or user_id
            chat = {"id": chat_id, "type": chat_type or ("private" if chat_id > 0 else "supergroup")}
            query["message"] = {"message_id": message_id, "date": int(time.time()), "text": "…",
                                "chat": chat, "from": BOT_USER}
        return {"callback_query": query}

    def bot_message(self, params: dict) -> dict:
        """The message the bot sent with `params` (a recorded sendMessage), as a reply would quote it."""
        chat_id = int(params["chat_id"])
        return {"message_id": int(params["message_id"]), "date": int(time.time()), "text": params.get("text", ""),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}, "from": BOT_USER}

    def member_update(self, user_id: int, chat_id: int, old: str, new: str, chat_type: str = "supergroup") -> dict:
        """The bot's own membership of `chat_id` changing from status `old` to `new`, by `user_id`."""
        bot = {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")}
        return {"my_chat_member": {"chat": {"id": chat_id, "type": chat_type, "title": "A group"},
                                   "from": self.user(user_id), "date": int(time.time()),
                                   "old_chat_member": self._member(old, bot), "new_chat_member": self._member(new, bot)}}

    @staticmethod
    def _member(status: str, user: dict) -> dict:
        """A ChatMember of `status` with the fields Telegram sends for it."""
        extra = {"kicked": {"until_date": 0}, "administrator": _ADMIN_RIGHTS}.get(status, {})
        return {"status": status, "user": user, **extra}

    def reaction_update(self, user_id: int, chat_id: int, message_id: int, emoji: list[str]) -> dict:
        """`user_id` setting `emoji` as their reaction to message `message_id`."""
        return {"message_reaction": {"chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                                     "message_id": message_id, "user": self.user(user_id), "date": int(time.time()),
                                     "old_reaction": [],
                                     "new_reaction": [{"type": "emoji", "emoji": e} for e in emoji]}}

    def inline(self, user_id: int, query: str) -> int:
        return self.push(**self.inline_update(user_id, query))

    def inline_update(self, user_id: int, query: str) -> dict:
        return {"inline_query": {"id": str(next(self._ids)), "from": self.user(user_id), "query": query,
                                 "offset": ""}}

    def update(self, content: dict) -> dict:
        """`content` (from one of the *_update builders) with an update id, for Application.process_update."""
        return {"update_id": next(self._ids), **content}

    def fail(self, method: str, status: int, times: int = 1, retry_after: int | None = None) -> None:
        """The next `times` calls of `method` get `status` (429 with retry_after) instead of success."""
        for _ in range(times):
            self._failures[method].append((status, retry_after))

    # --- what tests read back -------------------------------------------------
    def sent(self, method: str, *, ok_only: bool = True, **match: Any) -> list[dict]:
        with self._changed:
            return [c.params for c in self.calls if c.method == method and (c.status == 200 or not ok_only)
                    and all(str(c.params.get(k)) == str(v) for k, v in match.items())]

    def refused(self) -> list[Call]:
        """The calls refused with 400, as Telegram would refuse them (telegramhtml.py)."""
        with self._changed:
            return [c for c in self.calls if c.status == 400]

    def wait_for(self, method: str, count: int = 1, timeout: float = 30.0, **match: Any) -> list[dict]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := self.sent(method, **match)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} {method} {match}, got {len(found)}: "
                                         f"{[c.method for c in self.calls][-20:]}")
                self._changed.wait(min(left, 0.5))
            return found

    # --- what Telegram keeps of the messages sent --------------------------------
    @staticmethod
    def _where(params: dict) -> tuple[int, int] | None:
        if "chat_id" not in params or "message_id" not in params:
            return None  # an inline message, or a message the bot did not send here
        try:
            return int(params["chat_id"]), int(params["message_id"])
        except (TypeError, ValueError):
            return None

    def _not_modified(self, method: str, params: dict) -> str | None:
        """Telegram's refusal of an edit that leaves a message it knows as it is (text, entities and
        buttons; an edit without reply_markup removes the buttons)."""
        where = self._where(params)
        if method not in ("editMessageText", "editMessageReplyMarkup") or where not in self._messages:
            return None
        kept, markup = self._messages[where]
        new = content(str(params.get("text", "")), params.get("parse_mode")) if method == "editMessageText" else kept
        if new == kept and (params.get("reply_markup") or None) == markup:
            return ("Bad Request: message is not modified: specified new message content and reply markup are exactly "
                    "the same as a current content and reply markup of the message")
        return None

    def _keep(self, method: str, params: dict) -> None:
        where = self._where(params)
        if where is None:
            return
        if method in ("sendMessage", "editMessageText"):
            text = content(str(params.get("text", "")), params.get("parse_mode"))
            self._messages[where] = (text, params.get("reply_markup") or None)
        elif method == "editMessageReplyMarkup" and where in self._messages:
            self._messages[where] = (self._messages[where][0], params.get("reply_markup") or None)

    # --- the HTTP side --------------------------------------------------------
    def _record(self, method: str, params: dict, status: int) -> None:
        with self._changed:
            self.calls.append(Call(method, params, status, time.monotonic()))
            self._changed.notify_all()

    def _updates_after(self, offset: int, timeout: float) -> list[dict]:
        deadline = time.monotonic() + min(timeout, 1.0)
        with self._changed:
            while True:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates or time.monotonic() >= deadline:
                    return list(self._updates[:100])
                self._changed.wait(deadline - time.monotonic())

    def _result(self, method: str, params: dict) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return self._updates_after(int(params.get("offset") or 0), float(params.get("timeout") or 0))
        if method == "sendDocument":
            chat_id = int(params.get("chat_id") or 0)
            document = params.get("document")
            params.setdefault("message_id", next(self._message_ids))
            name = document.filename if isinstance(document, Upload) else "file"
            return {"message_id": params["message_id"], "date": int(time.time()), "caption": params.get("caption", ""),
                    "document": {"file_id": f"doc{params['message_id']}", "file_unique_id": f"u{params['message_id']}",
                                 "file_name": name},
                    "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"}, "from": BOT_USER}
        if method in ("sendMessage", "editMessageText"):
            chat_id = int(params.get("chat_id") or 0)
            message_id = int(params["message_id"]) if "message_id" in params else next(self._message_ids)
            params.setdefault("message_id", message_id)  # recorded, so a test can reply to the message
            return {"message_id": message_id, "date": int(time.time()), "text": params.get("text", ""),
                    "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"}, "from": BOT_USER}
        return True

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle's algorithm the body then waits for
            # the client's delayed ACK (up to 40 ms), which real Bot API servers do not make you pay.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                prefix = f"/bot{api.token}/"
                if not self.path.startswith(prefix):  # another token: refused, as Telegram refuses it
                    api._record(self.path.rsplit("/", 1)[-1], {}, 401)
                    return self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                method = self.path[len(prefix):]
                content_type = self.headers.get("Content-Type", "")
                if content_type.startswith("multipart/form-data"):
                    params = _form_data(content_type, raw)
                else:
                    body = raw.decode()
                    params = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
                    if content_type.startswith("application/json") and body:
                        params = json.loads(body)
                for key in JSON_PARAMS & params.keys():
                    if isinstance(params[key], str):
                        params[key] = json.loads(params[key])
                failures = api._failures[method]
                if failures:
                    status, retry_after = failures.popleft()
                    api._record(method, params, status)
                    envelope = {"ok": False, "error_code": status,
                                "description": "Too Many Requests: retry later" if status == 429 else "Internal Server Error"}
                    if retry_after is not None:
                        envelope["parameters"] = {"retry_after": retry_after}
                    return self._reply(status, envelope)
                with api._changed:
                    refused = request_error(method, params, BOT_USER["username"]) or api._not_modified(method, params)
                    if refused is None:
                        result = api._result(method, params)
                        api._keep(method, params)
                if refused is not None:
                    api._record(method, params, 400)
                    return self._reply(400, {"ok": False, "error_code": 400, "description": refused})
                api._record(method, params, 200)
                self._reply(200, {"ok": True, "result": result})

            do_GET = do_POST

            def _reply(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
