/*
 * Console des conseillers — « Messages à revoir » (the inbox of misunderstood messages).
 * Vanilla JS (ES2018), no build step; shares console.js's helpers (window.ConseillerConsole).
 *
 * The server groups similar messages (GET /console/api/inbox). An advisor ticks the messages
 * of a group, gives them an intent or, for messages sent during a diagnostic question, the
 * answer they meant, and saves (POST /inbox/label), or dismisses them (POST /inbox/dismiss).
 * `make reviewed` writes the labelled ones as training data; the two links download what it
 * would write.
 *
 * Owners' messages are untrusted: every text is inserted with textContent / text nodes.
 */
(function () {
  'use strict';

  var C = window.ConseillerConsole;
  if (!C) return;
  var el = C.el;

  var DONT_KNOW = 'dont_know';
  var dateFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short' });
  var numberFormat = new Intl.NumberFormat('fr-FR');

  var state = {
    built: false,
    loading: 0,           // sequence number of the latest GET, so that an older answer is ignored
    data: null,           // the last GET /inbox answer
    questions: {},        // question id -> question (options, multi)
    undo: null            // {ids, text}: the last change, which « Annuler » reverts
  };

  function $(id) { return document.getElementById(id); }

  function plural(count, one, many) {
    return numberFormat.format(count) + ' ' + (count > 1 ? many : one);
  }

  function timeNode(iso) {
    if (!iso) return null;
    var text = String(iso);
    if (!/[zZ]|[+-]\d{2}:\d{2}$/.test(text)) text += 'Z';   // naive times are UTC (web contract)
    var ms = Date.parse(text);
    if (isNaN(ms)) return null;
    return el('time', { datetime: new Date(ms).toISOString(), text: dateFormat.format(new Date(ms)) });
  }

  // ---------------------------------------------------------------- the page's frame

  function build() {
    if (state.built) return;
    state.built = true;
    var page = $('cn-inbox-page');
    page.appendChild(el('p', { className: 'cn-inbox-intro cn-muted', text:
      'Les messages que l\'assistant n\'a pas compris, regroupés quand ils se ressemblent (coordonnées masquées). ' +
      'Donnez à chacun l\'intention qu\'il exprime, ou la réponse qu\'il voulait donner à la question du diagnostic, ' +
      'ou écartez-le. Les messages étiquetés deviennent des exemples d\'entraînement (make reviewed puis make train).' }));
    page.appendChild(el('div', { className: 'cn-inbox-bar' }, [
      el('p', { id: 'cn-inbox-counts', className: 'cn-inbox-counts' }),
      el('div', { className: 'cn-inbox-exports' }, [
        el('a', { className: 'cn-button', href: '/console/api/inbox/export/nlu.yml', download: 'exemples-nlu-reviewed.yml',
          text: 'Exporter les exemples NLU (YAML)' }),
        el('a', { className: 'cn-button', href: '/console/api/inbox/export/answers.yml',
          download: 'exemples-reponses-reviewed.yml', text: 'Exporter les exemples de réponses (YAML)' }),
        el('button', { type: 'button', id: 'cn-inbox-refresh', className: 'cn-button', text: 'Actualiser', onclick: load })
      ])
    ]));
    page.appendChild(el('div', { id: 'cn-inbox-status', className: 'cn-inbox-status', role: 'status', tabindex: '-1' }));
    page.appendChild(el('ul', { id: 'cn-inbox-groups', className: 'cn-inbox-groups', 'aria-label': 'Groupes de messages à revoir' }));
  }

  function setStatus(text, undoIds) {
    var box = $('cn-inbox-status');
    C.clear(box);
    state.undo = undoIds && undoIds.length ? { ids: undoIds } : null;
    if (!text) return;
    box.appendChild(el('span', { text: text }));
    if (state.undo) {
      box.appendChild(document.createTextNode(' '));
      box.appendChild(el('button', { type: 'button', className: 'cn-button cn-inbox-undo', text: 'Annuler', onclick: undo }));
    }
  }

  function renderCounts(counts, shown) {
    counts = counts || {};
    var parts = [
      plural(counts['new'] || 0, 'message à revoir', 'messages à revoir'),
      plural(counts.labelled || 0, 'message étiqueté', 'messages étiquetés') + ' (' +
        plural(counts.labelled_intents || 0, 'intention', 'intentions') + ', ' +
        plural(counts.labelled_answers || 0, 'réponse', 'réponses') + ')',
      plural(counts.dismissed || 0, 'écarté', 'écartés')
    ];
    var line = parts.join(' · ');
    if ((counts['new'] || 0) > shown) line += ' — les ' + numberFormat.format(shown) + ' plus récents sont affichés.';
    $('cn-inbox-counts').textContent = line;
  }

  // ---------------------------------------------------------------- loading

  function load() {
    var seq = ++state.loading;
    var refresh = $('cn-inbox-refresh');
    if (refresh) refresh.disabled = true;
    return C.api('GET', '/inbox').then(function (data) {
      if (seq !== state.loading) return;
      if (refresh) refresh.disabled = false;
      state.data = data;
      state.questions = {};
      (data.questions || []).forEach(function (question) { state.questions[question.id] = question; });
      renderCounts(data.counts, data.shown || 0);
      renderGroups(Array.isArray(data.groups) ? data.groups : []);
    }, function (error) {
      if (seq !== state.loading) return;
      if (refresh) refresh.disabled = false;
      if (error.status === 401) return;
      C.showAlert('Messages à revoir non chargés : ' + error.message);
    });
  }

  function renderGroups(groups) {
    var list = $('cn-inbox-groups');
    C.clear(list);
    if (!groups.length) {
      list.appendChild(el('li', { className: 'cn-inbox-empty cn-muted',
        text: 'Aucun message à revoir. Les messages que l\'assistant ne comprend pas apparaîtront ici.' }));
      return;
    }
    groups.forEach(function (group, index) { list.appendChild(groupCard(group, 'cn-inbox-g' + index)); });
  }

  // ---------------------------------------------------------------- one group

  function intentSelect(id) {
    var select = el('select', { id: id, className: 'cn-inbox-intent', name: 'intent' }, [
      el('option', { value: '', text: '— Choisir une intention —' })
    ]);
    var families = [
      ['Besoins', function (intent) { return intent.indexOf('need_') === 0; }],
      ['Questions fréquentes (faq)', function (intent) { return intent.indexOf('faq/') === 0; }],
      ['Objections', function (intent) { return intent.indexOf('objection/') === 0; }],
      ['Conversation et diagnostic', function () { return true; }]
    ];
    var placed = {};
    families.forEach(function (family) {
      var group = el('optgroup', { label: family[0] });
      (state.data.intents || []).forEach(function (intent) {
        if (placed[intent.id] || !family[1](intent.id)) return;
        placed[intent.id] = true;
        group.appendChild(el('option', { value: intent.id, text: intent.label || intent.id }));
      });
      if (group.children.length) select.appendChild(group);
    });
    return select;
  }

  function answerControls(question, prefix) {
    if (!question.multi) {
      var select = el('select', { id: prefix + '-answer', className: 'cn-inbox-answer', name: 'answer' }, [
        el('option', { value: '', text: '— Choisir la réponse —' })
      ].concat(question.options.map(function (option) {
        return el('option', { value: option.id, text: option.label });
      })));
      return el('div', { className: 'cn-field' }, [
        el('label', { for: prefix + '-answer', text: 'Réponse' }), select
      ]);
    }
    // Multiple choice: the options given (none ticked = none of them), or « Je ne sais pas ».
    var boxes = question.options.map(function (option, index) {
      var boxId = prefix + '-option-' + index;
      var input = el('input', { type: 'checkbox', id: boxId, value: option.id, className: 'cn-inbox-option' });
      return el('div', { className: 'cn-inbox-check' }, [input, el('label', { for: boxId, text: option.label })]);
    });
    var fieldset = el('fieldset', { className: 'cn-inbox-options' }, [
      el('legend', { text: 'Réponses données (aucune cochée = aucune de ces réponses)' })
    ].concat(boxes));
    fieldset.addEventListener('change', function (event) {
      if (event.target.value !== DONT_KNOW) return;
      Array.prototype.forEach.call(fieldset.querySelectorAll('.cn-inbox-option'), function (input) {
        if (input.value !== DONT_KNOW) {
          input.disabled = event.target.checked;
          if (event.target.checked) input.checked = false;
        }
      });
    });
    return fieldset;
  }

  function checkedIds(card) {
    return Array.prototype.filter.call(card.querySelectorAll('.cn-inbox-pick'), function (input) {
      return input.checked;
    }).map(function (input) { return Number(input.value); });
  }

  function updateSelection(card, all) {
    var ids = checkedIds(card);
    var picks = card.querySelectorAll('.cn-inbox-pick');
    all.checked = ids.length === picks.length;
    all.indeterminate = ids.length > 0 && ids.length < picks.length;
    card.querySelector('.cn-inbox-selected').textContent =
      plural(ids.length, 'message sélectionné', 'messages sélectionnés') + ' sur ' + numberFormat.format(picks.length);
  }

  function groupCard(group, prefix) {
    var question = group.question_id ? state.questions[group.question_id] : null;
    var messages = Array.isArray(group.messages) ? group.messages : [];
    var titleId = prefix + '-title';

    var all = el('input', { type: 'checkbox', id: prefix + '-all', checked: true });
    var rows = messages.map(function (message) {
      var boxId = prefix + '-m' + message.id;
      return el('li', { className: 'cn-inbox-message' }, [
        el('input', { type: 'checkbox', id: boxId, className: 'cn-inbox-pick', value: String(message.id), checked: true }),
        el('label', { for: boxId }, [
          el('span', { className: 'cn-inbox-message-text', text: message.text }),
          el('span', { className: 'cn-inbox-message-meta' }, [
            timeNode(message.at),
            ' · ' + (message.reason_label || message.reason || ''),
            message.channel_label ? ' · ' + message.channel_label : null
          ])
        ])
      ]);
    });
    var details = el('details', { className: 'cn-inbox-details' }, [
      el('summary', { text: messages.length > 1 ? 'Voir les ' + messages.length + ' messages' : 'Voir le message' }),
      el('div', { className: 'cn-inbox-check cn-inbox-all' }, [all, el('label', { for: all.id, text: 'Tout le groupe' })]),
      el('ul', { className: 'cn-inbox-messages' }, rows)
    ]);

    // The label: an intent, or (messages sent during a question) the answer they meant.
    var kindName = prefix + '-kind';
    var intentField = el('div', { className: 'cn-field cn-inbox-intent-field' }, [
      el('label', { for: prefix + '-intent', text: 'Intention' }), intentSelect(prefix + '-intent')
    ]);
    var answerField = question ? el('div', { className: 'cn-inbox-answer-field', hidden: true }, [answerControls(question, prefix)]) : null;
    var kinds = null;
    if (question) {
      var intentRadio = el('input', { type: 'radio', id: prefix + '-kind-intent', name: kindName, value: 'intent' });
      var answerRadio = el('input', { type: 'radio', id: prefix + '-kind-answer', name: kindName, value: 'answer', checked: true });
      kinds = el('fieldset', { className: 'cn-inbox-kinds' }, [
        el('legend', { text: 'Étiqueter comme' }),
        el('div', { className: 'cn-inbox-check' }, [answerRadio, el('label', { for: answerRadio.id, text: 'Réponse à la question' })]),
        el('div', { className: 'cn-inbox-check' }, [intentRadio, el('label', { for: intentRadio.id, text: 'Intention' })])
      ]);
      intentField.hidden = true;
      answerField.hidden = false;
      kinds.addEventListener('change', function () {
        var asAnswer = answerRadio.checked;
        answerField.hidden = !asAnswer;
        intentField.hidden = asAnswer;
      });
    }

    var save = el('button', { type: 'submit', className: 'cn-button cn-button-primary', text: 'Enregistrer' });
    var dismiss = el('button', { type: 'button', className: 'cn-button cn-button-danger', text: 'Écarter' });
    var form = el('form', { className: 'cn-inbox-form', novalidate: true, 'aria-labelledby': titleId }, [
      kinds, answerField, intentField,
      el('div', { className: 'cn-inbox-actions' }, [
        el('p', { className: 'cn-inbox-selected cn-muted', 'aria-live': 'polite' }), save, dismiss
      ])
    ]);

    var card = el('li', { className: 'cn-inbox-group', dataset: { key: group.key || '' } }, [
      el('article', { 'aria-labelledby': titleId }, [
        el('div', { className: 'cn-inbox-head' }, [
          el('h3', { id: titleId, className: 'cn-inbox-title' }, [
            el('span', { className: 'cn-visually-hidden', text: 'Message : ' }),
            el('q', { text: group.representative || '' })
          ]),
          el('span', { className: 'cn-inbox-count', text: plural(group.count || messages.length, 'message', 'messages') })
        ]),
        el('p', { className: 'cn-inbox-facts' }, [
          (group.reasons || []).map(function (reason) { return reason.label; }).join(', '),
          group.newest ? ' · dernier : ' : null,
          timeNode(group.newest)
        ]),
        question ? el('p', { className: 'cn-inbox-question' }, [
          el('span', { className: 'cn-inbox-question-label', text: 'Question posée : ' }),
          (question.dimension ? question.dimension + ' — ' : '') + question.title
        ]) : null,
        details,
        form
      ])
    ]);

    card.addEventListener('change', function (event) {
      if (event.target === all) {
        Array.prototype.forEach.call(card.querySelectorAll('.cn-inbox-pick'), function (input) { input.checked = all.checked; });
      }
      if (event.target === all || event.target.classList.contains('cn-inbox-pick')) updateSelection(card, all);
    });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      onSave(card, form, question, prefix);
    });
    dismiss.addEventListener('click', function () { onDismiss(card); });
    updateSelection(card, all);
    return card;
  }

  // ---------------------------------------------------------------- actions

  function busy(card, on) {
    Array.prototype.forEach.call(card.querySelectorAll('button'), function (button) { button.disabled = on; });
  }

  function labelBody(form, question, prefix) {
    var kind = form.querySelector('input[name="' + prefix + '-kind"]:checked');
    if (!question || (kind && kind.value === 'intent')) {
      var intent = form.querySelector('.cn-inbox-intent').value;
      if (!intent) return { error: 'Choisissez une intention.', focus: form.querySelector('.cn-inbox-intent') };
      return { body: { intent: intent }, label: intent };
    }
    if (!question.multi) {
      var select = form.querySelector('.cn-inbox-answer');
      if (!select.value) return { error: 'Choisissez la réponse.', focus: select };
      return { body: { question_id: question.id, answer: select.value }, label: select.options[select.selectedIndex].text };
    }
    var ticked = Array.prototype.filter.call(form.querySelectorAll('.cn-inbox-option'), function (input) {
      return input.checked;
    }).map(function (input) { return input.value; });
    if (ticked.indexOf(DONT_KNOW) >= 0) {
      return { body: { question_id: question.id, answer: DONT_KNOW }, label: 'Je ne sais pas' };
    }
    var names = question.options.filter(function (option) { return ticked.indexOf(option.id) >= 0; })
      .map(function (option) { return option.label; });
    return {
      body: { question_id: question.id, answer: ticked },
      label: names.length ? names.join(', ') : 'aucune de ces réponses'
    };
  }

  function onSave(card, form, question, prefix) {
    C.clearAlert();
    var ids = checkedIds(card);
    if (!ids.length) { C.showAlert('Sélectionnez au moins un message du groupe.'); return; }
    var label = labelBody(form, question, prefix);
    if (label.error) {
      C.showAlert(label.error);
      if (label.focus) label.focus.focus();
      return;
    }
    label.body.ids = ids;
    busy(card, true);
    C.api('POST', '/inbox/label', label.body).then(function (data) {
      var count = data.labelled || ids.length;
      done(plural(count, 'message étiqueté', 'messages étiquetés') + ' « ' + label.label + ' ».', ids);
    }, function (error) { failed(card, error); });
  }

  function onDismiss(card) {
    C.clearAlert();
    var ids = checkedIds(card);
    if (!ids.length) { C.showAlert('Sélectionnez au moins un message du groupe.'); return; }
    busy(card, true);
    C.api('POST', '/inbox/dismiss', { ids: ids }).then(function (data) {
      done(plural(data.dismissed || ids.length, 'message écarté', 'messages écartés') + '.', ids);
    }, function (error) { failed(card, error); });
  }

  function undo() {
    if (!state.undo) return;
    var ids = state.undo.ids;
    C.clearAlert();
    C.api('POST', '/inbox/reopen', { ids: ids }).then(function (data) {
      done(plural(data.reopened || ids.length, 'message remis', 'messages remis') + ' parmi les messages à revoir.', null);
    }, function (error) {
      if (error.status !== 401) C.showAlert(error.message);
    });
  }

  function done(text, undoIds) {
    setStatus(text, undoIds);
    load().then(function () { $('cn-inbox-status').focus(); });
  }

  function failed(card, error) {
    busy(card, false);
    if (error.status === 401) return;
    C.showAlert(error.message);
    if (error.status === 404) load();
  }

  // ---------------------------------------------------------------- page events

  document.addEventListener('cn:page', function (event) {
    if (!event.detail || event.detail.page !== 'inbox') return;
    build();
    load();
  });

  document.addEventListener('cn:signed-out', function () {
    state.loading++;
    state.data = null;
    state.undo = null;
    if (!state.built) return;
    C.clear($('cn-inbox-groups'));
    $('cn-inbox-counts').textContent = '';
    setStatus('');
  });
})();
