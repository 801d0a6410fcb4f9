/*
 * Console des conseillers — Conseiller numérique.
 * Vanilla JS (ES2018), no build step. Contract: docs/web-contract.md, "Console ↔ server".
 *
 * Security: every text coming from the API or the socket (owner messages are untrusted)
 * is inserted with textContent / text nodes, never as HTML.
 */
(function () {
  'use strict';

  var API = '/console/api';
  var REFRESH_MS = 10000;
  var EXPIRED_MESSAGE = 'Votre session a expiré, reconnectez-vous.';
  var NETWORK_MESSAGE = 'Impossible de joindre le serveur. Vérifiez votre connexion puis réessayez.';

  var dateFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short' });

  var state = {
    advisor: null,          // {name, email}
    // The French names of ids (events, statuses, sectors…): GET /labels, from bot/data/labels.yml.
    labels: null,
    loggedIn: false,
    filter: 'open',
    tickets: [],
    selectedId: null,
    ticket: null,           // TicketDetail on screen
    listSeq: 0,
    detailSeq: 0,
    timer: null,
    socket: null,
    socketRetry: null,
    sessionCheck: null,
    // conversation bookkeeping (see renderTranscript)
    conv: { ticketId: null, fromTranscript: 0, socketExtras: [], recentTranscript: [] },
    busy: false
  };

  // ---------------------------------------------------------------- DOM helpers

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === 'text') node.textContent = String(value);
        else if (key === 'className') node.className = value;
        else if (key === 'dataset') Object.keys(value).forEach(function (k) { node.dataset[k] = value[k]; });
        else if (key.slice(0, 2) === 'on' && typeof value === 'function') node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? '' : String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function isPresent(value) { return value !== null && value !== undefined && value !== ''; }

  // ---------------------------------------------------------------- formatting

  /** Milliseconds since epoch from an ISO string (UTC if no offset) or a Unix timestamp. */
  function parseTime(value) {
    if (!isPresent(value)) return null;
    if (typeof value === 'number') return value < 1e12 ? value * 1000 : value;
    var text = String(value).trim();
    if (/^\d+(\.\d+)?$/.test(text)) return parseTime(parseFloat(text));
    text = text.replace(' ', 'T');
    if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text += 'Z';   // naive → UTC (contract)
    var ms = Date.parse(text);
    return isNaN(ms) ? null : ms;
  }

  function timeNode(value) {
    var ms = parseTime(value);
    if (ms === null) return null;
    return el('time', { datetime: new Date(ms).toISOString(), text: dateFormat.format(new Date(ms)) });
  }

  function formatScore(value) {
    if (!isPresent(value) || isNaN(Number(value))) return null;
    return String(Math.round(Number(value)));
  }

  function formatHeadcount(value) {
    if (!isPresent(value) || isNaN(Number(value))) return null;
    var n = Math.round(Number(value));
    return n + (n > 1 ? ' personnes' : ' personne');
  }

  function levelAndScore(ticket) {
    var score = formatScore(ticket.score_overall);
    var parts = [];
    if (isPresent(ticket.level_label)) parts.push(ticket.level_label);
    if (score !== null) parts.push(score + '/100');
    return parts.length ? parts.join(' · ') : 'Diagnostic non réalisé';
  }

  function profileLine(ticket) {
    return [ticket.sector_label, formatHeadcount(ticket.headcount), ticket.location]
      .filter(isPresent).join(' · ');
  }

  function advisorName(value) {
    if (!isPresent(value)) return '';
    if (typeof value === 'object') return value.name || value.email || '';
    return String(value);
  }

  function isMine(ticket) {
    if (!ticket || !state.advisor || ticket.status !== 'live') return false;
    // Accounts are told apart by id: two advisors may show the same name.
    if (isPresent(ticket.advisor_id) && isPresent(state.advisor.id)) return String(ticket.advisor_id) === String(state.advisor.id);
    var who = advisorName(ticket.advisor);
    if (!who) return false;
    if (ticket.advisor_email && state.advisor.email) return ticket.advisor_email === state.advisor.email;
    return who === state.advisor.name || who === state.advisor.email;
  }

  // ---------------------------------------------------------------- alerts

  function showAlert(message) {
    $('cn-alert').textContent = message || '';
  }

  function clearAlert() { $('cn-alert').textContent = ''; }

  // ---------------------------------------------------------------- API

  function ApiError(status, message) {
    this.status = status;
    this.message = message;
  }

  /**
   * JSON call under /console/api. A 401 while logged in ends the session (login form with
   * the expiry message) unless opts.raw401 is set.
   */
  function api(method, path, body, opts) {
    opts = opts || {};
    var init = {
      method: method,
      credentials: 'same-origin',
      // The server refuses calls that change something without this header (CSRF defence).
      headers: { 'Accept': 'application/json', 'X-Requested-With': 'conseiller-console' }
    };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(API + path, init).then(function (response) {
      return response.text().then(function (raw) {
        var data = null;
        try { data = raw ? JSON.parse(raw) : null; } catch (notJson) { /* an answer without JSON: data stays null */ }
        if (response.ok) return data || {};
        var message = (data && typeof data.error === 'string' && data.error) ||
          ('Erreur du serveur (' + response.status + ').');
        if (response.status === 401 && !opts.raw401) sessionExpired();
        throw new ApiError(response.status, message);
      });
    }, function () {
      throw new ApiError(0, NETWORK_MESSAGE);
    });
  }

  // ---------------------------------------------------------------- views

  function moveAlert(slotId) {
    var slot = $(slotId);
    var alert = $('cn-alert');
    if (slot && alert.parentNode !== slot) slot.appendChild(alert);
  }

  function showLogin(message) {
    $('cn-loading').hidden = true;
    $('cn-app').hidden = true;
    $('cn-login-view').hidden = false;
    moveAlert('cn-login-alert-slot');
    showAlert(message || '');
    var form = $('cn-login');
    form.elements.password.value = '';
    var button = $('cn-login-submit');
    button.disabled = false;
    (form.elements.email.value ? form.elements.password : form.elements.email).focus();
  }

  function showApp() {
    $('cn-loading').hidden = true;
    $('cn-login-view').hidden = true;
    $('cn-app').hidden = false;
    moveAlert('cn-main-alert-slot');
    clearAlert();
    $('cn-advisor-name').textContent = state.advisor ? (state.advisor.name || state.advisor.email || '') : '';
  }

  // ---------------------------------------------------------------- pages

  /**
   * The console's pages: the tickets (Demandes), the inbox (Messages à revoir) and, for
   * managers, the dashboard. The inbox and the dashboard live in inbox.js and dashboard.js,
   * which listen for 'cn:page' (detail: {page, advisor}) and draw themselves when shown.
   */
  var PAGES = { tickets: 'cn-main', inbox: 'cn-inbox-page', dashboard: 'cn-dashboard-page' };

  function showPage(page) {
    Object.keys(PAGES).forEach(function (name) {
      $(PAGES[name]).hidden = name !== page;
      var tab = $('cn-tab-' + name);
      if (name === page) tab.setAttribute('aria-current', 'page');
      else tab.removeAttribute('aria-current');
    });
    document.dispatchEvent(new CustomEvent('cn:page', { detail: { page: page, advisor: state.advisor } }));
  }

  function startSession(advisor) {
    state.advisor = advisor || {};
    state.loggedIn = true;
    state.filter = $('cn-status-filter').value || 'open';
    showApp();
    $('cn-tab-dashboard').hidden = state.advisor.role !== 'manager';
    showPage('tickets');
    resetDetail();
    loadLabels();
    loadTickets();
    if (state.timer) clearInterval(state.timer);
    state.timer = setInterval(tick, REFRESH_MS);
    connectSocket();
    $('cn-main').focus();
  }

  function endSession() {
    state.loggedIn = false;
    state.advisor = null;
    document.dispatchEvent(new CustomEvent('cn:signed-out'));
    if (state.timer) { clearInterval(state.timer); state.timer = null; }
    if (state.socketRetry) { clearTimeout(state.socketRetry); state.socketRetry = null; }
    if (state.socket) {
      var socket = state.socket;
      state.socket = null;
      socket.off();
      socket.disconnect();
    }
    state.tickets = [];
    state.selectedId = null;
    state.ticket = null;
    state.listSeq++;
    state.detailSeq++;
    clear($('cn-ticket-list'));
    $('cn-office').textContent = '';
    resetDetail();
  }

  function sessionExpired() {
    if (!state.loggedIn) return;
    endSession();
    showLogin(EXPIRED_MESSAGE);
  }

  // ---------------------------------------------------------------- login / logout

  function onLoginSubmit(event) {
    event.preventDefault();
    var form = $('cn-login');
    var email = form.elements.email.value.trim();
    var password = form.elements.password.value;
    if (!email || !password) {
      showAlert('Saisissez votre adresse e-mail et votre mot de passe.');
      (email ? form.elements.password : form.elements.email).focus();
      return;
    }
    var button = $('cn-login-submit');
    button.disabled = true;
    clearAlert();
    api('POST', '/login', { email: email, password: password }, { raw401: true }).then(function (data) {
      button.disabled = false;
      form.elements.password.value = '';
      startSession(data.advisor);
    }, function (error) {
      button.disabled = false;
      showAlert(error.message);
      form.elements.password.value = '';
      form.elements.password.focus();
    });
  }

  function onLogout() {
    var button = $('cn-logout');
    button.disabled = true;
    api('POST', '/logout', undefined, { raw401: true }).then(function () {}, function () {}).then(function () {
      button.disabled = false;
      endSession();
      showLogin('');
    });
  }

  // ---------------------------------------------------------------- labels

  /** The French names of ids (bot/data/labels.yml), asked once: they change only with the server. */
  function loadLabels() {
    if (state.labels) return;
    api('GET', '/labels').then(function (data) {
      if (!state.loggedIn || !data.labels || typeof data.labels !== 'object') return;
      state.labels = data.labels;
      if (state.ticket) renderHistory(state.ticket.events || []);   // drawn before they arrived
    }, function () { /* until they come, the history shows the ids; the next login asks again */ });
  }

  /** The French name of an id of a list ('events', 'statuses'…), or null when unknown. */
  function labelOf(list, id) {
    var names = state.labels && state.labels[list];
    return names && Object.prototype.hasOwnProperty.call(names, id) ? names[id] : null;
  }

  // ---------------------------------------------------------------- ticket list

  function tick() {
    if (!state.loggedIn) return;
    loadTickets();
    // Without the socket, owner messages only arrive by polling the open ticket.
    if (state.selectedId !== null && !(state.socket && state.socket.connected)) {
      loadDetail(state.selectedId, { quiet: true });
    }
  }

  function loadTickets() {
    var seq = ++state.listSeq;
    var status = state.filter;
    return api('GET', '/tickets?status=' + encodeURIComponent(status)).then(function (data) {
      if (seq !== state.listSeq || !state.loggedIn) return;
      state.tickets = Array.isArray(data.tickets) ? data.tickets : [];
      renderOffice(data.office);
      renderList();
      $('cn-list-status').textContent = '';
    }, function (error) {
      if (seq !== state.listSeq || !state.loggedIn || error.status === 401) return;
      $('cn-list-status').textContent = 'Liste non actualisée : ' + error.message;
    });
  }

  function renderOffice(office) {
    var line = $('cn-office');
    if (!office) { line.textContent = ''; return; }
    line.textContent = office.message || (office.open ? 'Permanence ouverte' : 'Permanence fermée');
    line.className = 'cn-office ' + (office.open ? 'cn-office-open' : 'cn-office-closed');
  }

  function statusBadge(status, label) {
    return el('span', {
      className: 'cn-status cn-status-' + (status || 'unknown'),
      text: label || status || ''
    });
  }

  function renderList() {
    var list = $('cn-ticket-list');
    var focused = document.activeElement;
    var focusedId = focused && focused.classList && focused.classList.contains('cn-ticket')
      ? focused.dataset.ticketId : null;

    clear(list);
    if (!state.tickets.length) {
      list.appendChild(el('li', { className: 'cn-ticket-empty', text: 'Aucune demande.' }));
      return;
    }
    state.tickets.forEach(function (ticket) {
      var id = String(ticket.id);
      var selected = state.selectedId !== null && String(state.selectedId) === id;
      var advisor = advisorName(ticket.advisor);
      var profile = profileLine(ticket);
      var button = el('button', {
        type: 'button',
        className: 'cn-ticket' + (selected ? ' cn-ticket-selected' : ''),
        'aria-current': selected ? 'true' : null,
        dataset: { ticketId: id },
        onclick: function () { openTicket(ticket.id); }
      }, [
        el('span', { className: 'cn-ticket-top' }, [
          el('span', { className: 'cn-ticket-id', text: 'Demande n° ' + id }),
          statusBadge(ticket.status, ticket.status_label)
        ]),
        isPresent(ticket.reason_label) ? el('span', { className: 'cn-ticket-reason', text: ticket.reason_label }) : null,
        profile ? el('span', { className: 'cn-ticket-profile', text: profile }) : null,
        el('span', { className: 'cn-ticket-level', text: levelAndScore(ticket) }),
        el('span', { className: 'cn-ticket-meta' }, [
          timeNode(ticket.created_at),
          advisor ? el('span', { className: 'cn-ticket-advisor', text: 'Conseiller : ' + advisor }) : null
        ])
      ]);
      list.appendChild(el('li', null, [button]));
      if (focusedId === id) button.focus();
    });
  }

  function onFilterChange() {
    state.filter = $('cn-status-filter').value;
    loadTickets();
  }

  // ---------------------------------------------------------------- ticket detail

  function resetDetail() {
    var pane = $('cn-ticket-detail');
    clear(pane);
    state.conv = { ticketId: null, fromTranscript: 0, socketExtras: [], recentTranscript: [] };
    pane.appendChild(el('h2', { id: 'cn-detail-title', className: 'cn-visually-hidden', text: 'Détail de la demande' }));
    pane.appendChild(el('p', { className: 'cn-detail-empty', text: 'Sélectionnez une demande dans la liste.' }));
  }

  function openTicket(id) {
    clearAlert();
    var changed = String(state.selectedId) !== String(id);
    state.selectedId = id;
    renderList();
    watch(id);
    loadDetail(id, { focus: changed || !state.ticket });
  }

  function loadDetail(id, opts) {
    opts = opts || {};
    var seq = ++state.detailSeq;
    return api('GET', '/tickets/' + encodeURIComponent(id)).then(function (data) {
      if (seq !== state.detailSeq || !state.loggedIn || String(state.selectedId) !== String(id)) return;
      if (data.ticket) renderDetail(data.ticket, opts);
    }, function (error) {
      if (seq !== state.detailSeq || !state.loggedIn || error.status === 401) return;
      if (opts.quiet && error.status === 0) return;
      showAlert(error.message);
      if (error.status === 404) {
        state.selectedId = null;
        state.ticket = null;
        resetDetail();
        renderList();
      }
    });
  }

  /** Builds (first time for a ticket) or updates the detail pane, keeping the conversation,
   *  the reply draft, the focus and the "Historique" state across refreshes. */
  function renderDetail(ticket, opts) {
    opts = opts || {};
    var pane = $('cn-ticket-detail');
    var sameTicket = state.conv.ticketId !== null && String(state.conv.ticketId) === String(ticket.id) &&
      $('cn-detail-sections');
    state.ticket = ticket;

    if (!sameTicket) {
      clear(pane);
      state.conv = { ticketId: ticket.id, fromTranscript: 0, socketExtras: [], recentTranscript: [] };
      pane.appendChild(el('div', { id: 'cn-detail-head', className: 'cn-detail-head' }));
      pane.appendChild(el('div', { id: 'cn-detail-actions', className: 'cn-actions' }));
      pane.appendChild(el('div', { id: 'cn-detail-sections', className: 'cn-detail-sections' }));
      pane.appendChild(buildConversationSection());
      pane.appendChild(el('div', { id: 'cn-detail-history' }));
    }

    var focusedId = document.activeElement && document.activeElement.id;

    renderDetailHead(ticket);
    renderActions(ticket);
    renderSections(ticket);
    renderTranscript(ticket.transcript || [], !sameTicket);
    renderReplyBox(ticket);
    renderHistory(ticket.events || []);

    if (opts.focus) {
      $('cn-detail-title').focus();
      return;
    }
    if (opts.action) focusedId = 'cn-' + opts.action;   // the clicked button (now maybe gone)
    var target = focusedId ? $(focusedId) : null;
    if (focusedId && (!target || isHidden(target))) {
      // The focused control disappeared (e.g. "Prendre en charge" after taking the ticket).
      if (isMine(ticket) && $('cn-reply') && !$('cn-reply-form').hidden) $('cn-reply').focus();
      else $('cn-detail-title').focus();
    } else if (target && document.activeElement !== target) {
      target.focus();
    }
  }

  function isHidden(node) {
    for (var n = node; n && n !== document.body; n = n.parentNode) {
      if (n.hidden) return true;
    }
    return false;
  }

  function renderDetailHead(ticket) {
    var head = $('cn-detail-head');
    clear(head);
    var advisor = advisorName(ticket.advisor);
    head.appendChild(el('h2', { id: 'cn-detail-title', tabindex: '-1', className: 'cn-detail-title' }, [
      'Demande n° ' + ticket.id, ' ', statusBadge(ticket.status, ticket.status_label)
    ]));
    var facts = [];
    if (isPresent(ticket.reason_label)) facts.push(el('span', { text: ticket.reason_label }));
    var created = timeNode(ticket.created_at);
    if (created) facts.push(el('span', null, ['Créée le ', created]));
    if (advisor) facts.push(el('span', { text: 'Conseiller : ' + advisor }));
    var line = el('p', { className: 'cn-detail-facts' });
    facts.forEach(function (fact, index) {
      if (index) line.appendChild(document.createTextNode(' · '));
      line.appendChild(fact);
    });
    head.appendChild(line);
  }

  function actionButton(id, label, handler, extraClass) {
    return el('button', {
      type: 'button', id: id, className: 'cn-button' + (extraClass ? ' ' + extraClass : ''),
      text: label, onclick: handler
    });
  }

  function renderActions(ticket) {
    var box = $('cn-detail-actions');
    clear(box);
    var mine = isMine(ticket);
    if (ticket.status === 'queued') {
      box.appendChild(actionButton('cn-take', 'Prendre en charge', function () { act(ticket.id, 'take'); }, 'cn-button-primary'));
    }
    if (mine) {
      box.appendChild(actionButton('cn-handback', 'Rendre la main à l\u2019assistant', function () { act(ticket.id, 'handback'); }));
    }
    if (ticket.status === 'queued' || mine) {
      box.appendChild(actionButton('cn-close', 'Clôturer', function () { act(ticket.id, 'close'); }, 'cn-button-danger'));
    }
    if (ticket.status === 'live' && !mine) {
      var who = advisorName(ticket.advisor);
      box.appendChild(el('p', { className: 'cn-note', text: who ? 'Conversation menée par ' + who + '.' : 'Conversation en direct avec un autre conseiller.' }));
    }
    if (ticket.status === 'closed') {
      box.appendChild(el('p', { className: 'cn-note', text: 'Cette demande est clôturée.' }));
    }
    box.hidden = !box.firstChild;
  }

  function definitionList(rows) {
    var dl = el('dl', { className: 'cn-dl' });
    rows.forEach(function (row) {
      dl.appendChild(el('dt', { text: row[0] }));
      var value = row[1];
      dl.appendChild(el('dd', null, [isPresent(value) ? (typeof value === 'object' ? value : String(value)) : 'Non renseigné']));
    });
    return dl;
  }

  function labelList(items, emptyText) {
    var labels = (Array.isArray(items) ? items : []).map(function (item) {
      return typeof item === 'object' && item !== null ? (item.label || item.id || '') : String(item);
    }).filter(isPresent);
    if (!labels.length) return el('p', { className: 'cn-muted', text: emptyText });
    return el('ul', { className: 'cn-labels' }, labels.map(function (label) { return el('li', { text: label }); }));
  }

  function renderSections(ticket) {
    var box = $('cn-detail-sections');
    clear(box);

    var email = isPresent(ticket.email)
      ? el('a', { href: 'mailto:' + ticket.email, text: ticket.email }) : null;
    var phone = isPresent(ticket.phone)
      ? el('a', { href: 'tel:' + String(ticket.phone).replace(/[^\d+]/g, ''), text: ticket.phone }) : null;

    box.appendChild(el('section', { className: 'cn-card', 'aria-labelledby': 'cn-h-profile' }, [
      el('h3', { id: 'cn-h-profile', text: 'Profil' }),
      definitionList([
        ['Secteur', ticket.sector_label],
        ['Effectif', formatHeadcount(ticket.headcount)],
        ['Localisation', ticket.location],
        ['Motif', ticket.reason_label],
        ['Canal', ticket.channel_label || ticket.channel]
      ])
    ]));

    box.appendChild(el('section', { className: 'cn-card', 'aria-labelledby': 'cn-h-contact' }, [
      el('h3', { id: 'cn-h-contact', text: 'Contact' }),
      definitionList([
        ['E-mail', email],
        ['Téléphone', phone],
        ['Créneau souhaité', ticket.preferred_time]
      ])
    ]));

    var score = formatScore(ticket.score_overall);
    var diag = [el('h3', { id: 'cn-h-diag', text: 'Diagnostic' })];
    if (score === null && !isPresent(ticket.level_label)) {
      diag.push(el('p', { className: 'cn-muted', text: 'Diagnostic non réalisé.' }));
    } else {
      diag.push(el('p', { className: 'cn-overall' }, [
        el('span', { className: 'cn-overall-score', text: (score === null ? '—' : score) + '/100' }),
        isPresent(ticket.level_label) ? el('span', { className: 'cn-overall-level', text: 'Niveau : ' + ticket.level_label }) : null
      ]));
    }
    var dims = Array.isArray(ticket.dimensions) ? ticket.dimensions : [];
    if (dims.length) {
      diag.push(el('table', { className: 'cn-dims' }, [
        el('caption', { className: 'cn-visually-hidden', text: 'Scores par dimension' }),
        el('thead', null, [el('tr', null, [
          el('th', { scope: 'col', text: 'Dimension' }),
          el('th', { scope: 'col', className: 'cn-num', text: 'Score' })
        ])]),
        el('tbody', null, dims.map(function (dim) {
          var dimScore = formatScore(dim.score);
          return el('tr', null, [
            el('th', { scope: 'row', text: dim.label || dim.id || '' }),
            el('td', { className: 'cn-num', text: dimScore === null ? '—' : dimScore + '/100' })
          ]);
        }))
      ]));
    }
    diag.push(el('h4', { text: 'Points les plus faibles' }));
    diag.push(labelList(ticket.weakest, 'Aucun.'));
    diag.push(el('h4', { text: 'Besoins exprimés' }));
    diag.push(labelList(ticket.needs, 'Aucun besoin exprimé.'));
    box.appendChild(el('section', { className: 'cn-card cn-card-wide', 'aria-labelledby': 'cn-h-diag' }, diag));
  }

  // ---------------------------------------------------------------- conversation

  function buildConversationSection() {
    var form = el('form', { id: 'cn-reply-form', className: 'cn-reply', hidden: true, novalidate: true }, [
      el('label', { for: 'cn-reply', text: 'Votre réponse' }),
      el('textarea', { id: 'cn-reply', name: 'reply', rows: '3', 'aria-describedby': 'cn-reply-hint' }),
      el('p', { id: 'cn-reply-hint', className: 'cn-hint', text: 'Entrée pour envoyer, Maj + Entrée pour aller à la ligne.' }),
      el('button', { type: 'submit', id: 'cn-send-reply', className: 'cn-button cn-button-primary', text: 'Envoyer' })
    ]);
    form.addEventListener('submit', onReplySubmit);
    form.querySelector('textarea').addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        onReplySubmit(event);
      }
    });
    return el('section', { className: 'cn-conversation-section', 'aria-labelledby': 'cn-h-conv' }, [
      el('h3', { id: 'cn-h-conv', text: 'Conversation' }),
      el('div', {
        id: 'cn-conversation', className: 'cn-conversation', role: 'log',
        'aria-live': 'polite', 'aria-labelledby': 'cn-h-conv', tabindex: '0'
      }),
      form
    ]);
  }

  function normaliseFrom(from) {
    if (from === 'owner' || from === 'user') return 'user';
    if (from === 'assistant' || from === 'bot') return 'bot';
    if (from === 'advisor') return 'advisor';
    return 'bot';
  }

  function lineNode(entry) {
    var who;
    if (entry.from === 'user') who = 'Client';
    else if (entry.from === 'advisor') who = entry.advisor ? 'Conseiller · ' + entry.advisor : 'Conseiller';
    else who = 'Assistant';
    var when = timeNode(entry.at);
    return el('div', { className: 'cn-line cn-line-' + entry.from }, [
      el('p', { className: 'cn-line-who' }, [el('span', { className: 'cn-line-name', text: who }), when ? ' ' : null, when]),
      el('p', { className: 'cn-line-text', text: entry.text })
    ]);
  }

  function normaliseEntry(raw) {
    var from = normaliseFrom(raw.from);
    return {
      from: from,
      text: raw.text === null || raw.text === undefined ? '' : String(raw.text),
      at: raw.at,
      t: parseTime(raw.at),
      advisor: from === 'advisor' ? advisorName(raw.advisor || raw.advisor_name || raw.name) : ''
    };
  }

  function sameMessage(a, b) {
    if (a.from !== b.from || a.text !== b.text) return false;
    if (a.t !== null && b.t !== null && Math.abs(a.t - b.t) > 5000) return false;
    return true;
  }

  function appendLine(entry) {
    var conv = $('cn-conversation');
    if (!conv) return;
    var nearBottom = conv.scrollHeight - conv.scrollTop - conv.clientHeight < 60;
    var empty = conv.querySelector('.cn-conversation-empty');
    if (empty) conv.removeChild(empty);
    conv.appendChild(lineNode(entry));
    if (nearBottom) conv.scrollTop = conv.scrollHeight;
  }

  /**
   * The transcript is authoritative and append-only; live messages also arrive on the socket.
   * Only entries beyond those already rendered are appended, and an entry already shown from
   * the socket is not shown twice (and vice versa, see onSocketMessage).
   */
  function renderTranscript(rawTranscript, fresh) {
    var conv = $('cn-conversation');
    var entries = rawTranscript.map(normaliseEntry);
    var c = state.conv;
    if (fresh || entries.length < c.fromTranscript) {
      clear(conv);
      c.fromTranscript = 0;
      c.socketExtras = [];
      c.recentTranscript = [];
      if (!entries.length) {
        conv.appendChild(el('p', { className: 'cn-conversation-empty cn-muted', text: 'Aucun message.' }));
      }
    }
    var now = Date.now();
    c.recentTranscript = c.recentTranscript.filter(function (r) { return now - r.added < 30000; });
    entries.slice(c.fromTranscript).forEach(function (entry) {
      var index = -1;
      for (var i = 0; i < c.socketExtras.length; i++) {
        if (sameMessage(c.socketExtras[i], entry)) { index = i; break; }
      }
      if (index >= 0) {
        c.socketExtras.splice(index, 1);        // already on screen from the socket
      } else {
        appendLine(entry);
        if (!fresh) c.recentTranscript.push({ entry: entry, added: now });
      }
    });
    c.fromTranscript = entries.length;
    if (fresh) conv.scrollTop = conv.scrollHeight;
  }

  function onSocketMessage(kind, payload) {
    if (!payload || state.selectedId === null || String(payload.ticket_id) !== String(state.selectedId)) return;
    if (state.conv.ticketId === null || String(state.conv.ticketId) !== String(payload.ticket_id)) return;
    var entry = normaliseEntry({
      from: kind === 'owner_message' ? 'user' : 'advisor',
      text: payload.text, at: payload.at, advisor: payload.advisor
    });
    var c = state.conv;
    for (var i = 0; i < c.recentTranscript.length; i++) {
      if (sameMessage(c.recentTranscript[i].entry, entry)) {
        c.recentTranscript.splice(i, 1);       // already shown by a detail refresh
        return;
      }
    }
    c.socketExtras.push(entry);
    appendLine(entry);
  }

  function renderReplyBox(ticket) {
    var form = $('cn-reply-form');
    if (!form) return;
    var show = isMine(ticket);
    form.hidden = !show;
    if (!show) $('cn-reply').value = '';
  }

  function onReplySubmit(event) {
    if (event) event.preventDefault();
    var textarea = $('cn-reply');
    var button = $('cn-send-reply');
    if (!textarea || !state.ticket || button.disabled) return;
    var text = textarea.value.trim();
    if (!text) { textarea.focus(); return; }
    var id = state.ticket.id;
    button.disabled = true;
    clearAlert();
    api('POST', '/tickets/' + encodeURIComponent(id) + '/message', { text: text }).then(function () {
      button.disabled = false;
      if (textarea.value.trim() === text) textarea.value = '';
      textarea.focus();
      // The POST answer does not echo the message; the socket event shows it. Without the
      // socket, fetch the transcript (which includes live messages).
      if (!(state.socket && state.socket.connected) && String(state.selectedId) === String(id)) {
        loadDetail(id, { quiet: true });
      }
    }, function (error) {
      button.disabled = false;
      if (error.status === 401) return;
      showAlert(error.message);
      if (error.status === 409 || error.status === 404) {
        loadTickets();
        if (String(state.selectedId) === String(id)) loadDetail(id, { quiet: true });
      }
    });
  }

  // ---------------------------------------------------------------- history

  function renderHistory(events) {
    var box = $('cn-detail-history');
    var previous = box.querySelector('details');
    var wasOpen = previous ? previous.open : false;
    clear(box);
    var details = el('details', { className: 'cn-history', open: wasOpen });
    details.appendChild(el('summary', { text: 'Historique' }));
    if (!events.length) {
      details.appendChild(el('p', { className: 'cn-muted', text: 'Aucun événement.' }));
    } else {
      details.appendChild(el('ol', { className: 'cn-events' }, events.map(function (event) {
        var actor = event.actor === 'assistant' ? 'Assistant' : event.actor;
        var label = labelOf('events', event.kind) || event.kind || '';
        var when = timeNode(event.at);
        return el('li', null, [
          when, when ? ' — ' : null,
          el('strong', { text: label }),
          isPresent(actor) ? ' · ' + actor : null,
          isPresent(event.detail) ? el('span', { className: 'cn-event-detail', text: ' (' + event.detail + ')' }) : null
        ]);
      })));
    }
    box.appendChild(details);
  }

  // ---------------------------------------------------------------- actions

  function act(id, action) {
    var buttons = $('cn-detail-actions').querySelectorAll('button');
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    clearAlert();
    api('POST', '/tickets/' + encodeURIComponent(id) + '/' + action).then(function (data) {
      loadTickets();
      if (String(state.selectedId) !== String(id)) return;
      if (data.ticket && Array.isArray(data.ticket.transcript)) {
        state.detailSeq++;                       // a pending GET is now older than this answer
        renderDetail(data.ticket, { action: action });
      } else {
        loadDetail(id, { action: action });
      }
    }, function (error) {
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
      if (error.status === 401) return;
      showAlert(error.message);
      loadTickets();
      if (String(state.selectedId) === String(id)) loadDetail(id, { quiet: true, action: action });
    });
  }

  // ---------------------------------------------------------------- real time

  function setRealtime(text) { $('cn-realtime').textContent = text; }

  function watch(id) {
    if (state.socket && state.socket.connected && id !== null) {
      state.socket.emit('watch', { ticket_id: id });
    }
  }

  function connectSocket() {
    if (typeof window.io !== 'function') {
      setRealtime('Temps réel indisponible : actualisation toutes les 10 s.');
      return;
    }
    if (state.socket) return;
    var socket = window.io('/advisor', { path: '/socket.io', withCredentials: true });
    state.socket = socket;
    socket.on('connect', function () {
      if (state.socket !== socket) return;
      setRealtime('');
      if (state.selectedId !== null) {
        watch(state.selectedId);
        loadDetail(state.selectedId, { quiet: true });   // catch up on anything missed
      }
    });
    socket.on('disconnect', function (reason) {
      if (state.socket !== socket) return;
      setRealtime('Temps réel interrompu : actualisation toutes les 10 s.');
      // Closed by the server: the session may have ended (password changed, account closed).
      if (reason === 'io server disconnect') checkSessionThenRetry(socket);
    });
    socket.on('connect_error', function () {
      if (state.socket !== socket) return;
      setRealtime('Temps réel interrompu : actualisation toutes les 10 s.');
      checkSessionThenRetry(socket);
    });
    socket.on('owner_message', function (payload) { onSocketMessage('owner_message', payload); });
    socket.on('advisor_message', function (payload) { onSocketMessage('advisor_message', payload); });
    socket.on('ticket_updated', function (payload) {
      if (state.socket !== socket || !state.loggedIn) return;
      loadTickets();
      if (payload && state.selectedId !== null && String(payload.ticket_id) === String(state.selectedId)) {
        loadDetail(state.selectedId, { quiet: true });
      }
    });
  }

  function checkSessionThenRetry(socket) {
    // A refused or closed connection may mean the session is over; /me tells (401 → login).
    if (state.sessionCheck) return;
    state.sessionCheck = api('GET', '/me').then(function () {}, function () {}).then(function () {
      state.sessionCheck = null;
      if (state.socket === socket && !socket.active && !state.socketRetry) {
        state.socketRetry = setTimeout(function () {
          state.socketRetry = null;
          if (state.socket === socket && !socket.connected) socket.connect();
        }, REFRESH_MS);
      }
    });
  }

  // ---------------------------------------------------------------- start

  function init() {
    Object.keys(PAGES).forEach(function (name) {
      $('cn-tab-' + name).addEventListener('click', function () { showPage(name); });
    });
    $('cn-login').addEventListener('submit', onLoginSubmit);
    $('cn-logout').addEventListener('click', onLogout);
    $('cn-status-filter').addEventListener('change', onFilterChange);
    resetDetail();
    api('GET', '/me', undefined, { raw401: true }).then(function (data) {
      startSession(data.advisor);
    }, function (error) {
      showLogin(error.status === 401 ? '' : error.message);
    });
  }

  // What inbox.js and dashboard.js share with this file: one way to call the API (with the
  // session's expiry handling), to build nodes, to show an error, to read a label.
  window.ConseillerConsole = {
    api: api, el: el, clear: clear, showAlert: showAlert, clearAlert: clearAlert, labelOf: labelOf,
    loadLabels: loadLabels
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
