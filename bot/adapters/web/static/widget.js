/*
 * Conseiller numérique — the chat widget a page embeds.
 *
 *   <script src="https://conseiller.example.org/widget/widget.js" defer></script>
 *
 * Options (attributes of the script tag): data-server="https://…" (the server's origin, by
 * default the script's), data-title="…" (header title), data-open="true" (open at load).
 * Contract with the server: docs/web-contract.md. Plain JS (ES2018), no dependency but
 * socket.io-client, loaded from the same folder. The only global it sets:
 * window.ConseillerWidget = {open(), close()}.
 *
 * Security: every text from the server or the user is inserted as text nodes, never
 * through innerHTML. Only http(s) URLs become links.
 */
(function () {
  "use strict";

  if (window.ConseillerWidget) {
    return; // already loaded on this page
  }

  var STORAGE_KEY = "conseiller-session-id";
  var TYPING_TIMEOUT_MS = 20000;
  var MAX_INPUT_HEIGHT_PX = 120;
  var SVG_NS = "http://www.w3.org/2000/svg";

  var TEXTS = {
    defaultTitle: "Conseiller numérique",
    subtitle: "Répond en quelques secondes",
    openLabel: "Ouvrir la discussion avec le conseiller numérique",
    closeLabel: "Fermer la discussion",
    welcome: "Bonjour ! Posez votre question ou tapez « diagnostic » pour évaluer votre entreprise.",
    inputLabel: "Votre message",
    inputPlaceholder: "Écrivez votre message…",
    send: "Envoyer",
    typing: "Le conseiller écrit…",
    connectionLost: "Connexion perdue, nouvelle tentative…",
    unavailable: "La discussion est momentanément indisponible. Réessayez plus tard.",
    messagesLabel: "Conversation",
    quickRepliesLabel: "Réponses suggérées",
    you: "Vous : ",
    advisorRole: "Conseiller",
    resultTitle: "Résultat de votre diagnostic",
    resultOverall: "Score global",
    resultLevel: "Niveau : ",
    resultDimensions: "Score par thème",
    priority: "axe prioritaire",
    newWindow: " (nouvelle fenêtre)",
    image: "Image envoyée par le conseiller",
    privacy: "Vos données et vos droits",
  };

  /* ------------------------------------------------------------------ configuration */

  function findOwnScript() {
    if (document.currentScript && document.currentScript.src) {
      return document.currentScript;
    }
    var scripts = document.getElementsByTagName("script");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/widget\.js(?:[?#]|$)/.test(scripts[i].src || "")) {
        return scripts[i];
      }
    }
    return null;
  }

  function httpUrl(value, base) {
    try {
      var url = new URL(value, base);
      return url.protocol === "http:" || url.protocol === "https:" ? url : null;
    } catch (error) {
      return null;
    }
  }

  var ownScript = findOwnScript();
  var scriptUrl = httpUrl(ownScript ? ownScript.src : "", window.location.href) ||
    httpUrl("/widget/widget.js", window.location.href);
  var assetBase = scriptUrl ? new URL(".", scriptUrl).href : "/widget/";
  var dataServer = ownScript ? ownScript.getAttribute("data-server") : null;
  var serverUrl = (dataServer && httpUrl(dataServer, window.location.href)) || scriptUrl;
  var SERVER = serverUrl ? serverUrl.origin : window.location.origin;
  var TITLE = (ownScript && (ownScript.getAttribute("data-title") || "").trim()) || TEXTS.defaultTitle;
  var OPEN_AT_LOAD = !!ownScript && ownScript.getAttribute("data-open") === "true";

  /* ------------------------------------------------------------------ small helpers */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function srOnly(text) {
    return el("span", "cn-sr-only", text);
  }

  var storage = {
    memory: null,
    get: function () {
      try {
        return window.localStorage.getItem(STORAGE_KEY) || this.memory;
      } catch (error) {
        return this.memory;
      }
    },
    set: function (value) {
      this.memory = value;
      try {
        window.localStorage.setItem(STORAGE_KEY, value);
      } catch (error) {
        /* storage blocked (private browsing…): the session lasts as long as the page */
      }
    },
  };

  var uid = Math.random().toString(36).slice(2, 8);

  /* ------------------------------------------------------------------ text formatting */

  var URL_PATTERN = /https?:\/\/[^\s<>"'«»]+/g;
  var TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;

  /** Cuts a trailing punctuation mark off a URL found in prose ("…voir https://x.fr." ). */
  function trimUrl(candidate) {
    var url = candidate;
    while (TRAILING_PUNCTUATION.test(url)) {
      var last = url.charAt(url.length - 1);
      if (last === ")" && count(url, "(") >= count(url, ")")) {
        break; // a balanced parenthesis belongs to the URL (Wikipedia…)
      }
      url = url.slice(0, -1);
      if (!url) {
        break;
      }
    }
    return url;
  }

  function count(text, character) {
    return text.split(character).length - 1;
  }

  /** Appends `text` with its http(s) URLs turned into links. */
  function appendLinkified(parent, text) {
    var position = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text))) {
      var raw = trimUrl(match[0]);
      var url = httpUrl(raw);
      if (!url || raw.length <= "https://".length) {
        continue;
      }
      if (match.index > position) {
        parent.appendChild(document.createTextNode(text.slice(position, match.index)));
      }
      var link = el("a", "cn-link", raw);
      link.href = url.href;
      link.target = "_blank";
      link.rel = "noopener";
      link.title = raw + TEXTS.newWindow;
      parent.appendChild(link);
      position = match.index + raw.length;
      URL_PATTERN.lastIndex = position;
    }
    if (position < text.length) {
      parent.appendChild(document.createTextNode(text.slice(position)));
    }
  }

  /** Appends one line, `**bold**` as <strong>, URLs as links. */
  function appendLine(parent, line) {
    var bold = /\*\*([^*\n]*[^*\s][^*\n]*)\*\*/g;
    var position = 0;
    var match;
    while ((match = bold.exec(line))) {
      if (match.index > position) {
        appendLinkified(parent, line.slice(position, match.index));
      }
      var strong = el("strong", "cn-strong");
      appendLinkified(strong, match[1]);
      parent.appendChild(strong);
      position = match.index + match[0].length;
    }
    if (position < line.length) {
      appendLinkified(parent, line.slice(position));
    }
  }

  /** Text from the server or the user → DOM nodes (line breaks as <br>). */
  function appendFormatted(parent, text) {
    var lines = String(text).replace(/\r\n?/g, "\n").split("\n");
    lines.forEach(function (line, index) {
      if (index > 0) {
        parent.appendChild(document.createElement("br"));
      }
      appendLine(parent, line);
    });
  }

  /* ------------------------------------------------------------------ DOM of the widget */

  function icon(paths, className) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", className || "cn-icon");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "24");
    svg.setAttribute("height", "24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    paths.forEach(function (d) {
      var path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("d", d);
      svg.appendChild(path);
    });
    return svg;
  }

  var ui = {};

  function buildUi() {
    var root = el("div", "cn-widget");
    root.setAttribute("lang", "fr");
    root.setAttribute("dir", "ltr");

    var panelId = "cn-panel-" + uid;
    var titleId = "cn-title-" + uid;
    var inputId = "cn-input-" + uid;

    var launcher = el("button", "cn-launcher");
    launcher.type = "button";
    launcher.setAttribute("aria-label", TEXTS.openLabel);
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", panelId);
    launcher.appendChild(icon([
      "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
    ], "cn-icon cn-icon-chat"));
    var unread = el("span", "cn-unread");
    unread.setAttribute("aria-hidden", "true");
    unread.hidden = true;
    launcher.appendChild(unread);

    var panel = el("div", "cn-panel");
    panel.id = panelId;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-labelledby", titleId);
    panel.hidden = true;

    var header = el("div", "cn-header");
    var heading = el("div", "cn-heading");
    var title = el("h2", "cn-title", TITLE);
    title.id = titleId;
    heading.appendChild(title);
    heading.appendChild(el("p", "cn-subtitle", TEXTS.subtitle));
    var closeButton = el("button", "cn-close");
    closeButton.type = "button";
    closeButton.setAttribute("aria-label", TEXTS.closeLabel);
    closeButton.appendChild(icon(["M6 6l12 12M18 6L6 18"], "cn-icon cn-icon-close"));
    header.appendChild(heading);
    header.appendChild(closeButton);

    var status = el("div", "cn-status");
    status.setAttribute("role", "status");

    var messages = el("div", "cn-messages");
    messages.setAttribute("role", "log");
    messages.setAttribute("aria-live", "polite");
    messages.setAttribute("aria-label", TEXTS.messagesLabel);
    messages.tabIndex = 0;

    var welcome = el("p", "cn-welcome", TEXTS.welcome);
    welcome.hidden = true;
    messages.appendChild(welcome);

    var typing = el("div", "cn-typing");
    typing.hidden = true;
    var dots = el("span", "cn-typing-dots");
    dots.setAttribute("aria-hidden", "true");
    dots.appendChild(el("span", "cn-dot"));
    dots.appendChild(el("span", "cn-dot"));
    dots.appendChild(el("span", "cn-dot"));
    typing.appendChild(dots);
    typing.appendChild(el("span", "cn-typing-text", TEXTS.typing));
    messages.appendChild(typing);

    var quickReplies = el("div", "cn-quick-replies");
    quickReplies.setAttribute("role", "group");
    quickReplies.setAttribute("aria-label", TEXTS.quickRepliesLabel);
    quickReplies.hidden = true;

    var form = el("form", "cn-form");
    form.noValidate = true;
    var label = el("label", "cn-sr-only", TEXTS.inputLabel);
    label.htmlFor = inputId;
    var input = el("textarea", "cn-input");
    input.id = inputId;
    input.rows = 1;
    input.placeholder = TEXTS.inputPlaceholder;
    input.setAttribute("autocomplete", "off");
    input.setAttribute("enterkeyhint", "send");
    input.maxLength = 2000;
    var send = el("button", "cn-send", TEXTS.send);
    send.type = "submit";
    send.disabled = true;
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);

    panel.appendChild(header);
    panel.appendChild(status);
    panel.appendChild(messages);
    panel.appendChild(quickReplies);
    panel.appendChild(form);
    var privacy = el("a", "cn-privacy", TEXTS.privacy);
    privacy.href = SERVER + "/confidentialite";
    privacy.target = "_blank";
    privacy.rel = "noopener";
    privacy.appendChild(srOnly(TEXTS.newWindow));
    panel.appendChild(privacy);

    root.appendChild(panel);
    root.appendChild(launcher);
    document.body.appendChild(root);

    ui = {
      root: root, launcher: launcher, unread: unread, panel: panel, close: closeButton,
      status: status, messages: messages, welcome: welcome, typing: typing,
      quickReplies: quickReplies, form: form, input: input, send: send,
    };

    launcher.addEventListener("click", function () {
      if (isOpen()) {
        closePanel(true);
      } else {
        openPanel(true);
      }
    });
    closeButton.addEventListener("click", function () {
      closePanel(true);
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape" || event.key === "Esc") {
        event.preventDefault();
        closePanel(true);
      }
    });
    launcher.addEventListener("keydown", function (event) {
      if ((event.key === "Escape" || event.key === "Esc") && isOpen()) {
        event.preventDefault();
        closePanel(true);
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitTyped();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        submitTyped();
      }
    });
    input.addEventListener("input", updateInput);
  }

  function updateInput() {
    ui.send.disabled = ui.input.value.trim() === "";
    ui.input.style.height = "auto";
    var height = Math.min(ui.input.scrollHeight, MAX_INPUT_HEIGHT_PX);
    if (height > 0) {
      ui.input.style.height = height + "px";
    }
    ui.input.style.overflowY = ui.input.scrollHeight > MAX_INPUT_HEIGHT_PX ? "auto" : "hidden";
  }

  /* ------------------------------------------------------------------ open / close */

  function isOpen() {
    return !ui.panel.hidden;
  }

  var openRequested = null; // open()/close() called before the page was ready

  function openPanel(focusInput) {
    if (!ui.panel) {
      openRequested = { focus: focusInput };
      return;
    }
    ui.panel.hidden = false;
    ui.root.classList.add("cn-is-open");
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.unread.hidden = true;
    connect();
    scrollToEnd();
    if (focusInput) {
      ui.input.focus();
    }
  }

  function closePanel(focusLauncher) {
    if (!ui.panel) {
      openRequested = null;
      return;
    }
    if (!isOpen()) {
      return;
    }
    ui.panel.hidden = true;
    ui.root.classList.remove("cn-is-open");
    ui.launcher.setAttribute("aria-expanded", "false");
    if (focusLauncher) {
      ui.launcher.focus();
    }
  }

  /* ------------------------------------------------------------------ rendering */

  var typingTimer = null;

  function setTyping(visible) {
    clearTimeout(typingTimer);
    ui.typing.hidden = !visible;
    if (visible) {
      typingTimer = setTimeout(function () {
        ui.typing.hidden = true;
      }, TYPING_TIMEOUT_MS);
      scrollToEnd();
    }
  }

  function scrollToEnd() {
    var list = ui.messages;
    list.scrollTop = list.scrollHeight;
  }

  function hasMessages() {
    return !!ui.messages.querySelector(".cn-message");
  }

  function addToLog(node) {
    ui.welcome.hidden = true;
    ui.messages.insertBefore(node, ui.typing);
    scrollToEnd();
  }

  function clearLog() {
    var nodes = ui.messages.querySelectorAll(".cn-message");
    for (var i = 0; i < nodes.length; i++) {
      nodes[i].parentNode.removeChild(nodes[i]);
    }
  }

  function renderUser(text) {
    var item = el("div", "cn-message cn-from-user");
    var bubble = el("div", "cn-bubble");
    bubble.appendChild(srOnly(TEXTS.you));
    appendFormatted(bubble, text);
    item.appendChild(bubble);
    addToLog(item);
  }

  function renderNotice(text) {
    var item = el("div", "cn-message cn-notice");
    appendFormatted(item, text);
    addToLog(item);
  }

  function renderBotText(text, advisorName) {
    var item;
    var bubble = el("div", "cn-bubble");
    if (advisorName !== null) {
      item = el("div", "cn-message cn-from-advisor");
      var author = el("p", "cn-author");
      author.appendChild(document.createTextNode(advisorName ? advisorName + " · " : ""));
      author.appendChild(el("span", "cn-role", TEXTS.advisorRole));
      item.appendChild(author);
      bubble.appendChild(srOnly(" : "));
    } else {
      item = el("div", "cn-message cn-from-bot");
      bubble.appendChild(srOnly(TITLE + " : "));
    }
    appendFormatted(bubble, text);
    item.appendChild(bubble);
    addToLog(item);
  }

  function numberOrNull(value) {
    var number = typeof value === "number" ? value : parseFloat(value);
    return isFinite(number) ? number : null;
  }

  function scoreText(value) {
    var number = numberOrNull(value);
    return number === null ? "—" : Math.round(number) + "/100";
  }

  function bar(value) {
    var track = el("div", "cn-bar");
    track.setAttribute("aria-hidden", "true");
    var fill = el("div", "cn-bar-fill");
    var number = numberOrNull(value);
    fill.style.width = (number === null ? 0 : Math.max(0, Math.min(100, number))) + "%";
    track.appendChild(fill);
    return track;
  }

  function renderResult(custom) {
    var item = el("div", "cn-message cn-from-bot cn-has-result");
    var card = el("section", "cn-result");
    var titleId = "cn-result-title-" + uid + "-" + Math.random().toString(36).slice(2, 8);
    card.setAttribute("aria-labelledby", titleId);

    var heading = el("h3", "cn-result-title", TEXTS.resultTitle);
    heading.id = titleId;
    card.appendChild(heading);

    var overall = el("div", "cn-result-overall");
    var overallLabel = el("p", "cn-result-overall-label", TEXTS.resultOverall);
    var overallScore = el("p", "cn-result-score", scoreText(custom.overall));
    overall.appendChild(overallLabel);
    overall.appendChild(overallScore);
    if (custom.level) {
      var level = el("p", "cn-result-level");
      level.appendChild(document.createTextNode(TEXTS.resultLevel));
      level.appendChild(el("strong", "cn-strong", String(custom.level)));
      overall.appendChild(level);
    }
    overall.appendChild(bar(custom.overall));
    card.appendChild(overall);

    var dimensions = Array.isArray(custom.dimensions) ? custom.dimensions : [];
    var weakest = Array.isArray(custom.weakest) ? custom.weakest.map(String) : [];
    if (dimensions.length) {
      card.appendChild(el("h4", "cn-result-subtitle", TEXTS.resultDimensions));
      var list = el("ul", "cn-result-list");
      dimensions.forEach(function (dimension) {
        if (!dimension || typeof dimension !== "object") {
          return;
        }
        var name = String(dimension.label || dimension.id || "");
        var isWeak = weakest.indexOf(String(dimension.id)) !== -1 || weakest.indexOf(name) !== -1;
        var row = el("li", "cn-result-row" + (isWeak ? " cn-is-priority" : ""));
        var line = el("div", "cn-result-line");
        var label = el("span", "cn-result-label", name);
        line.appendChild(label);
        line.appendChild(document.createTextNode(" "));
        line.appendChild(el("span", "cn-result-value", scoreText(dimension.score)));
        row.appendChild(line);
        row.appendChild(bar(dimension.score));
        if (isWeak) {
          row.appendChild(el("span", "cn-priority", TEXTS.priority));
        }
        list.appendChild(row);
      });
      card.appendChild(list);
    }
    item.appendChild(card);
    addToLog(item);
  }

  function renderAttachment(attachment) {
    // The only known kind: image ({type: "image", payload: {src}}); others are ignored.
    if (!attachment || attachment.type !== "image" || !attachment.payload) {
      return;
    }
    var url = httpUrl(attachment.payload.src || attachment.payload.url || "");
    if (!url) {
      return;
    }
    var item = el("div", "cn-message cn-from-bot");
    var image = el("img", "cn-image");
    image.src = url.href;
    image.alt = TEXTS.image;
    image.loading = "lazy";
    image.addEventListener("load", scrollToEnd);
    item.appendChild(image);
    addToLog(item);
  }

  function clearQuickReplies() {
    while (ui.quickReplies.firstChild) {
      ui.quickReplies.removeChild(ui.quickReplies.firstChild);
    }
    ui.quickReplies.hidden = true;
  }

  function showQuickReplies(buttons) {
    clearQuickReplies();
    (buttons || []).forEach(function (button) {
      if (!button || (button.title === undefined && button.payload === undefined)) {
        return;
      }
      var title = String(button.title !== undefined && button.title !== null ? button.title : button.payload);
      var payload = String(button.payload !== undefined && button.payload !== null ? button.payload : title);
      var node = el("button", "cn-quick-reply", title);
      node.type = "button";
      node.addEventListener("click", function () {
        clearQuickReplies();
        sendMessage(payload, title);
        ui.input.focus();
      });
      ui.quickReplies.appendChild(node);
    });
    ui.quickReplies.hidden = !ui.quickReplies.firstChild;
    scrollToEnd();
  }

  /**
   * One message, live (`bot_uttered`) or from the history, normalised as
   * {from, text, buttons, advisor, notice, custom, attachment}. Returns its buttons.
   */
  function renderMessage(message) {
    if (!message || typeof message !== "object") {
      return [];
    }
    var text = typeof message.text === "string" ? message.text : "";
    if (message.from === "user") {
      if (text) {
        renderUser(text);
      }
      return [];
    }
    if (message.notice) {
      if (text) {
        renderNotice(text);
      }
      return [];
    }
    var advisorName = null;
    if (message.from === "advisor" || message.advisor) {
      advisorName = message.advisor && message.advisor.name ? String(message.advisor.name) : "";
    }
    if (text) {
      renderBotText(text, advisorName);
    }
    if (message.custom && message.custom.type === "diagnostic_result") {
      renderResult(message.custom);
    }
    if (message.attachment) {
      renderAttachment(message.attachment);
    }
    return Array.isArray(message.buttons) ? message.buttons : [];
  }

  function fromBotUttered(data) {
    data = data || {};
    var metadata = data.metadata && typeof data.metadata === "object" ? data.metadata : {};
    return {
      from: metadata.advisor ? "advisor" : "bot",
      text: data.text,
      buttons: Array.isArray(data.quick_replies) ? data.quick_replies : data.buttons,
      advisor: metadata.advisor,
      notice: metadata.notice === true,
      custom: data.custom,
      attachment: data.attachment,
    };
  }

  /* ------------------------------------------------------------------ connection */

  var socket = null;
  var ioClient = null;
  var ioLoading = null;
  var sessionId = storage.get();
  var sessionConfirmed = false;
  var pending = []; // messages typed before the session was confirmed: [{payload, display}]
  var historyRequest = 0;

  function setStatus(text) {
    ui.status.textContent = text || "";
  }

  function loadStylesheet() {
    var href = assetBase + "widget.css";
    var links = document.querySelectorAll("link[rel='stylesheet']");
    for (var i = 0; i < links.length; i++) {
      if (links[i].href === href) {
        return;
      }
    }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    (document.head || document.documentElement).appendChild(link);
  }

  /** Loads the bundled socket.io client without leaving (or clobbering) a global `io`. */
  function loadSocketIo() {
    if (ioLoading) {
      return ioLoading;
    }
    ioLoading = new Promise(function (resolve, reject) {
      var hadIo = Object.prototype.hasOwnProperty.call(window, "io");
      var previousIo = window.io;
      var script = document.createElement("script");
      script.src = assetBase + "vendor/socket.io.min.js";
      script.async = true;
      script.onload = function () {
        var loaded = window.io;
        if (hadIo) {
          window.io = previousIo;
        } else {
          try {
            delete window.io;
          } catch (error) {
            window.io = undefined;
          }
        }
        if (typeof loaded === "function" && loaded !== previousIo) {
          resolve(loaded);
        } else if (typeof previousIo === "function") {
          resolve(previousIo); // a host page with an AMD loader: fall back on its own io
        } else {
          reject(new Error("socket.io indisponible"));
        }
      };
      script.onerror = function () {
        reject(new Error("socket.io introuvable"));
      };
      (document.head || document.documentElement).appendChild(script);
    });
    return ioLoading;
  }

  function connect() {
    if (socket || connect.started) {
      return;
    }
    connect.started = true;
    loadSocketIo().then(function (io) {
      ioClient = io;
      openSocket();
    }, function () {
      setStatus(TEXTS.unavailable);
    });
  }

  function openSocket() {
    // A WebSocket first: one TCP connection, so one server, whatever the load balancer in front
    // (several servers: README, "Production"). Where a proxy or firewall blocks WebSockets, long
    // polling instead (tryAllTransports); nginx keeps its requests on one server by hashing the
    // client's address (deploy/nginx/conseiller.conf).
    socket = ioClient(SERVER, { path: "/socket.io", transports: ["websocket", "polling"], tryAllTransports: true });

    socket.on("connect", function () {
      setStatus("");
      sessionConfirmed = false;
      socket.emit("session_request", { session_id: storage.get() || sessionId || null });
    });

    socket.on("session_confirm", function (data) {
      var id = typeof data === "string" ? data : data && (data.session_id || data.sessionId);
      if (!id) {
        return;
      }
      sessionId = String(id);
      storage.set(sessionId);
      loadHistory(sessionId).then(function () {
        sessionConfirmed = true;
        flushPending();
      });
    });

    socket.on("bot_uttered", function (data) {
      setTyping(false);
      var message = fromBotUttered(data);
      var buttons = renderMessage(message);
      // Quick replies belong to the latest message only.
      if (message.text || message.custom || message.notice || buttons.length) {
        if (buttons.length) {
          showQuickReplies(buttons);
        } else {
          clearQuickReplies();
        }
      }
      if (!isOpen() && (message.text || message.custom)) {
        ui.unread.hidden = false;
      }
    });

    socket.on("disconnect", function (reason) {
      sessionConfirmed = false;
      if (reason === "io client disconnect") {
        return;
      }
      setStatus(TEXTS.connectionLost);
      if (reason === "io server disconnect") {
        socket.connect(); // socket.io does not reconnect by itself in this case
      }
    });

    socket.on("connect_error", function () {
      setStatus(TEXTS.connectionLost);
    });
  }

  /** Replaces the conversation by the server's history; resolves even on failure. */
  function loadHistory(id) {
    var request = ++historyRequest;
    var url = SERVER + "/chat/history";
    var done = function () {
      if (!hasMessages()) {
        ui.welcome.hidden = false;
      }
    };
    if (typeof window.fetch !== "function") {
      done();
      return Promise.resolve();
    }
    // The signed session token as a plain-text body: no preflight, and never in a URL.
    return window.fetch(url, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "text/plain" },
      body: id,
      credentials: "omit",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (body) {
        if (request !== historyRequest) {
          return;
        }
        var messages = body && Array.isArray(body.messages) ? body.messages : [];
        clearLog();
        clearQuickReplies();
        var lastButtons = [];
        messages.forEach(function (message) {
          lastButtons = renderMessage(message);
        });
        // Typed while the session was being confirmed: not yet sent, so not in the history.
        pending.forEach(function (entry) {
          renderUser(entry.display);
        });
        if (lastButtons.length && !pending.length) {
          showQuickReplies(lastButtons);
        }
        scrollToEnd();
      })
      .catch(function () {
        /* history unavailable: keep what is displayed */
      })
      .then(done);
  }

  function flushPending() {
    if (!socket || !socket.connected || !sessionConfirmed) {
      return;
    }
    var queue = pending;
    pending = [];
    queue.forEach(function (entry) {
      socket.emit("user_uttered", { message: entry.payload, session_id: sessionId });
    });
  }

  /* ------------------------------------------------------------------ sending */

  function sendMessage(payload, display) {
    var text = String(display);
    if (!payload.trim()) {
      return;
    }
    renderUser(text);
    setTyping(true);
    if (socket && socket.connected && sessionConfirmed && sessionId) {
      socket.emit("user_uttered", { message: payload, session_id: sessionId });
    } else {
      pending.push({ payload: payload, display: text });
      connect();
    }
  }

  function submitTyped() {
    var text = ui.input.value.trim();
    if (!text) {
      return;
    }
    clearQuickReplies();
    ui.input.value = "";
    updateInput();
    sendMessage(text, text);
  }

  /* ------------------------------------------------------------------ start */

  function start() {
    if (!document.body) {
      return;
    }
    loadStylesheet();
    buildUi();
    if (!sessionId) {
      ui.welcome.hidden = false; // a new conversation: its history is necessarily empty
    } else {
      connect(); // a conversation under way: fetch its history and receive messages
    }
    loadSocketIo().catch(function () {
      /* reported when the panel opens */
    });
    if (openRequested) {
      openPanel(openRequested.focus);
    } else if (OPEN_AT_LOAD) {
      openPanel(false); // without taking the page's focus (nor opening a phone's keyboard)
    }
  }

  window.ConseillerWidget = Object.freeze({
    open: function () {
      openPanel(true);
    },
    close: function () {
      closePanel(true);
    },
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
