/*
 * Console des conseillers — the deployer's dashboard (« Tableau de bord », managers only).
 * Vanilla JS (ES2018), no build step, no library. Draws itself in #cn-dashboard-page when
 * console.js shows the page (document event 'cn:page'), from GET /console/api/dashboard.
 *
 * Every text is inserted with textContent / text nodes, never as HTML. The bars are inline SVG
 * (aria-hidden): each figure they draw is also written in the table beside them.
 */
(function () {
  'use strict';

  var API = '/console/api/dashboard';
  var SVG = 'http://www.w3.org/2000/svg';
  var DEFAULT_DAYS = 30;
  var FILTERS = [
    // [parameter, label, list of choices in the answer, "all" option]
    ['sector', 'Secteur', 'sectors', 'Tous'],
    ['size', 'Taille', 'sizes', 'Toutes'],
    ['channel', 'Canal', 'channels', 'Tous']
  ];

  var integer = new Intl.NumberFormat('fr-FR');
  var decimal = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var longDay = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  var clock = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit' });

  var state = { built: false, seq: 0, choicesLoaded: false, shown: null };

  function consoleApi() { return window.ConseillerConsole; }
  function el(tag, attrs, children) { return consoleApi().el(tag, attrs, children); }
  function $(id) { return document.getElementById(id); }
  function isPresent(value) { return value !== null && value !== undefined && value !== ''; }

  // ---------------------------------------------------------------- formatting

  function count(value) { return isPresent(value) ? integer.format(value) : '—'; }

  function percent(value) { return isPresent(value) ? decimal.format(value) + ' %' : '—'; }

  function score(value) { return isPresent(value) ? decimal.format(value) : '—'; }

  function isoDay(date) {
    var month = String(date.getMonth() + 1);
    var day = String(date.getDate());
    return date.getFullYear() + '-' + (month.length < 2 ? '0' : '') + month + '-' + (day.length < 2 ? '0' : '') + day;
  }

  /** « 1 diagnostic terminé », « 563 diagnostics terminés » (French: 0 and 1 take the singular). */
  function plural(value, one, other) {
    return count(value) + ' ' + (Math.abs(Number(value) || 0) < 2 ? one : other);
  }

  function dayText(iso) {
    var parts = String(iso || '').split('-');
    if (parts.length !== 3) return String(iso || '');
    return longDay.format(new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2])));
  }

  /** 45 s, 15 min, 2 h 05, 3 j 4 h. */
  function delay(seconds) {
    if (!isPresent(seconds)) return '—';
    var s = Math.round(Number(seconds));
    if (s < 60) return s + ' s';
    var minutes = Math.round(s / 60);
    if (minutes < 60) return minutes + ' min';
    var hours = Math.floor(minutes / 60);
    if (hours < 24) {
      var rest = minutes % 60;
      return hours + ' h ' + (rest < 10 ? '0' : '') + rest;
    }
    var days = Math.floor(hours / 24);
    return days + ' j ' + (hours % 24) + ' h';
  }

  // ---------------------------------------------------------------- building blocks

  /**
   * A horizontal bar, `value` out of `max`; `part` (optional) is drawn darker at its end
   * (the owners who stopped at a question, among those who reached it).
   */
  function bar(value, max, className, part) {
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'cn-dash-bar ' + (className || ''));
    svg.setAttribute('viewBox', '0 0 100 10');
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    function rect(cls, x, width) {
      var node = document.createElementNS(SVG, 'rect');
      node.setAttribute('class', cls);
      node.setAttribute('x', String(x));
      node.setAttribute('y', '0');
      node.setAttribute('width', String(Math.max(0, width)));
      node.setAttribute('height', '10');
      svg.appendChild(node);
    }
    rect('cn-dash-bar-track', 0, 100);
    var width = max > 0 && value > 0 ? Math.max(0.5, 100 * value / max) : 0;
    rect('cn-dash-bar-fill', 0, width);
    if (part && max > 0) {
      var partWidth = Math.max(0.5, 100 * part / max);
      rect('cn-dash-bar-part', width - partWidth, partWidth);
    }
    return svg;
  }

  function csvLink(table, title) {
    var href = API + '/' + table + '.csv' + (state.shown ? '?' + state.shown : '');
    return el('a', { className: 'cn-dash-csv', href: href, download: '', dataset: { table: table } }, [
      'Télécharger (CSV)',
      el('span', { className: 'cn-visually-hidden', text: ' : ' + title })
    ]);
  }

  /** A section of the page: title, CSV link, an explanation, then its content. */
  function block(id, title, table, caption) {
    var heading = el('h3', { id: id + '-title', text: title });
    var head = el('div', { className: 'cn-dash-block-head' }, [heading, table ? csvLink(table, title) : null]);
    var section = el('section', { id: id, className: 'cn-dash-block', 'aria-labelledby': id + '-title' }, [head]);
    if (caption) section.appendChild(el('p', { className: 'cn-dash-note', text: caption }));
    return section;
  }

  function th(text, attrs) { return el('th', Object.assign({ scope: 'col', text: text }, attrs || {})); }

  function numCell(text) { return el('td', { className: 'cn-dash-num', text: text }); }

  function barCell(svg) { return el('td', { className: 'cn-dash-bar-cell' }, [svg]); }

  function table(caption, headers, className) {
    var head = el('tr', null, headers);
    return el('table', { className: 'cn-dash-table ' + (className || '') }, [
      el('caption', { className: 'cn-visually-hidden', text: caption }),
      el('thead', null, [head])
    ]);
  }

  /** The header of the bars' column: read by screen readers only (the bars are hidden from them). */
  function chartHeader() {
    return el('th', { scope: 'col', className: 'cn-dash-bar-cell' }, [
      el('span', { className: 'cn-visually-hidden', text: 'Graphique' })
    ]);
  }

  function empty(text) { return el('p', { className: 'cn-dash-empty', text: text }); }

  function periodText(filter) {
    return 'du ' + dayText(filter.from) + ' au ' + dayText(filter.to);
  }

  // ---------------------------------------------------------------- the page's skeleton

  function build() {
    var page = $('cn-dashboard-page');
    var today = new Date();
    var start = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (DEFAULT_DAYS - 1));
    function dateField(name, label, value) {
      return el('div', { className: 'cn-field cn-dash-field' }, [
        el('label', { 'for': 'cn-dash-' + name, text: label }),
        el('input', { id: 'cn-dash-' + name, name: name, type: 'date', value: value, max: isoDay(today), required: true })
      ]);
    }
    var fields = [dateField('from', 'Du', isoDay(start)), dateField('to', 'Au', isoDay(today))];
    FILTERS.forEach(function (filter) {
      var select = el('select', { id: 'cn-dash-' + filter[0], name: filter[0] }, [
        el('option', { value: '', text: filter[3] })
      ]);
      fields.push(el('div', { className: 'cn-field cn-dash-field' }, [
        el('label', { 'for': 'cn-dash-' + filter[0], text: filter[1] }), select
      ]));
    });
    fields.push(el('button', { type: 'submit', className: 'cn-button cn-button-primary', id: 'cn-dash-apply', text: 'Afficher' }));
    var form = el('form', { id: 'cn-dash-filters', className: 'cn-dash-filters', 'aria-label': 'Filtres du tableau de bord' }, fields);
    form.addEventListener('submit', function (event) { event.preventDefault(); load(); });
    form.addEventListener('change', function () { load(); });

    page.appendChild(el('p', {
      className: 'cn-dash-intro',
      text: 'Les diagnostics commencés, les besoins et objections exprimés et les demandes de conseiller ' +
        'de la période choisie, filtrés par secteur, taille d’entreprise et canal.'
    }));
    page.appendChild(form);
    page.appendChild(el('p', { id: 'cn-dash-status', className: 'cn-dash-status', role: 'status' }));
    page.appendChild(el('div', { id: 'cn-dash-results', className: 'cn-dash-results' }));
    state.built = true;
  }

  function fillChoices(choices) {
    if (state.choicesLoaded || !choices) return;
    FILTERS.forEach(function (filter) {
      var select = $('cn-dash-' + filter[0]);
      (choices[filter[2]] || []).forEach(function (choice) {
        select.appendChild(el('option', { value: choice.id, text: choice.label }));
      });
    });
    state.choicesLoaded = true;
  }

  function query() {
    var form = $('cn-dash-filters');
    var params = [];
    ['from', 'to', 'sector', 'size', 'channel'].forEach(function (name) {
      var value = form.elements[name].value;
      if (value) params.push(name + '=' + encodeURIComponent(value));
    });
    return params.join('&');
  }

  // ---------------------------------------------------------------- loading

  function load() {
    var seq = ++state.seq;
    var results = $('cn-dash-results');
    var status = $('cn-dash-status');
    var wanted = query();
    results.setAttribute('aria-busy', 'true');
    status.textContent = 'Chargement des chiffres…';
    consoleApi().api('GET', '/dashboard?' + wanted).then(function (data) {
      if (seq !== state.seq) return;
      consoleApi().clearAlert();
      fillChoices(data.choices);
      state.shown = wanted;
      render(data);
      results.removeAttribute('aria-busy');
      status.textContent = 'Chiffres ' + periodText(data.filter) + ', mis à jour à ' + clock.format(new Date()) + '.';
    }, function (error) {
      if (seq !== state.seq) return;
      results.removeAttribute('aria-busy');
      status.textContent = 'Les chiffres n’ont pas pu être chargés.';
      consoleApi().showAlert(error && error.message ? error.message : 'Erreur du serveur.');
    });
  }

  // ---------------------------------------------------------------- the tables

  function render(data) {
    var tables = data.tables || {};
    var results = $('cn-dash-results');
    consoleApi().clear(results);
    results.appendChild(overview(tables.summary, tables.handovers, tables.first_reply));
    results.appendChild(el('div', { className: 'cn-dash-grid' }, [
      dropout(tables.dropout, tables.summary),
      el('div', { className: 'cn-dash-column' }, [
        levels(tables.levels),
        signals('cn-dash-needs', 'Besoins les plus fréquents', 'needs', 'Besoin', tables.needs,
          'Les besoins exprimés pendant la période (une conversation peut en exprimer plusieurs).',
          'Aucun besoin exprimé pendant la période.')
      ])
    ]));
    results.appendChild(dimensions(tables.dimensions));
    results.appendChild(el('div', { className: 'cn-dash-grid cn-dash-grid-even' }, [
      handovers(tables.handovers, tables.first_reply),
      signals('cn-dash-objections', 'Objections soulevées', 'objections', 'Objection', tables.objections,
        'Les doutes exprimés par les entrepreneurs (« c’est trop cher », « pas le temps »…).',
        'Aucune objection soulevée pendant la période.')
    ]));
  }

  function tile(label, value, detail, id) {
    return el('div', { className: 'cn-dash-tile' }, [
      el('dt', { text: label }),
      el('dd', { className: 'cn-dash-tile-value', id: id || null, text: value }),
      detail ? el('dd', { className: 'cn-dash-tile-detail', text: detail }) : null
    ]);
  }

  function overview(summary, handoverTable, reply) {
    summary = summary || {};
    handoverTable = handoverTable || {};
    reply = reply || {};
    var section = block('cn-dash-overview', 'Vue d’ensemble', 'summary', null);
    var replied = reply.tickets
      ? count(reply.replied) + ' sur ' + count(reply.tickets) + ' avec une réponse'
      : null;
    section.appendChild(el('dl', { className: 'cn-dash-tiles' }, [
      tile('Diagnostics commencés', count(summary.started), null, 'cn-dash-started'),
      tile('Diagnostics terminés', count(summary.completed),
        isPresent(summary.completion_rate) ? percent(summary.completion_rate) + ' des diagnostics commencés' : null,
        'cn-dash-completed'),
      tile('Arrêtés en cours de route', count(summary.stopped), 'y compris ceux encore en cours'),
      tile('Recommencés à zéro', count(summary.restarted), 'comptés à part'),
      tile('Demandes de conseiller', count(handoverTable.total), replied, 'cn-dash-tickets'),
      tile('Première réponse', delay(reply.median_seconds),
        'délai médian d’un conseiller' +
          (isPresent(reply.p90_seconds) ? ' ; 9 demandes sur 10 en moins de ' + delay(reply.p90_seconds) : ''),
        'cn-dash-median')
    ]));
    return section;
  }

  function dropout(funnel, summary) {
    funnel = funnel || { rows: [] };
    var section = block('cn-dash-dropout', 'Où les entrepreneurs s’arrêtent', 'dropout',
      'Pour chaque question, dans l’ordre du diagnostic : les diagnostics arrivés jusqu’à elle, et ceux ' +
      'qui s’y sont arrêtés sans aller au bout (ou sont encore en cours). ' +
      (funnel.restarted
        ? plural(funnel.restarted, 'diagnostic recommencé à zéro n’est pas compté ici.',
          'diagnostics recommencés à zéro ne sont pas comptés ici.')
        : 'Aucun diagnostic recommencé à zéro.'));
    var rows = funnel.rows || [];
    var max = rows.length ? rows[0].reached : 0;
    if (!summary || !summary.started) {
      section.appendChild(empty('Aucun diagnostic commencé pendant la période.'));
      return section;
    }
    section.appendChild(el('p', { className: 'cn-dash-legend', 'aria-hidden': 'true' }, [
      el('span', { className: 'cn-dash-key cn-dash-key-reached' }), 'arrivés à la question',
      el('span', { className: 'cn-dash-key cn-dash-key-stopped' }), 'dont arrêtés à cette question'
    ]));
    var grid = table('Abandons question par question',
      [th('N°', { className: 'cn-dash-num' }), th('Question'), chartHeader(), th('Arrivés', { className: 'cn-dash-num' }),
        th('Arrêtés ici', { className: 'cn-dash-num' }), th('Taux d’arrêt', { className: 'cn-dash-num' })],
      'cn-dash-funnel');
    var body = null;
    var theme = null;
    rows.forEach(function (row) {
      if (row.theme !== theme) {
        theme = row.theme;
        body = el('tbody', null, [el('tr', { className: 'cn-dash-group' }, [
          el('th', { scope: 'rowgroup', colspan: '6', text: theme })
        ])]);
        grid.appendChild(body);
      }
      var highlight = row.stop_rate !== null && row.stop_rate >= 10;
      body.appendChild(el('tr', { dataset: { slot: row.slot }, className: highlight ? 'cn-dash-hot' : null }, [
        numCell(String(row.number)),
        el('th', { scope: 'row', className: 'cn-dash-question', text: row.label, title: row.label }),
        barCell(bar(row.reached, max, 'cn-dash-bar-funnel', row.stopped)),
        numCell(count(row.reached)),
        numCell(count(row.stopped)),
        numCell(percent(row.stop_rate))
      ]));
    });
    section.appendChild(el('div', { className: 'cn-dash-scroll' }, [grid]));
    if (funnel.unknown) {
      section.appendChild(el('p', {
        className: 'cn-dash-note',
        text: plural(funnel.unknown, 'diagnostic arrêté', 'diagnostics arrêtés') +
          ' à une question qui n’existe plus dans le questionnaire.'
      }));
    }
    return section;
  }

  function levels(levelTable) {
    levelTable = levelTable || { rows: [] };
    var section = block('cn-dash-levels', 'Niveaux de maturité', 'levels',
      'Répartition par niveau : ' + plural(levelTable.completed, 'diagnostic terminé.', 'diagnostics terminés.'));
    if (!levelTable.completed) {
      section.appendChild(empty('Aucun diagnostic terminé pendant la période.'));
      return section;
    }
    var grid = table('Niveaux de maturité des diagnostics terminés',
      [th('Niveau'), chartHeader(), th('Diagnostics', { className: 'cn-dash-num' }), th('Part', { className: 'cn-dash-num' })]);
    var body = el('tbody');
    var max = Math.max.apply(null, levelTable.rows.map(function (row) { return row.count; }));
    levelTable.rows.forEach(function (row) {
      body.appendChild(el('tr', { dataset: { level: row.level } }, [
        el('th', { scope: 'row', text: row.label }),
        barCell(bar(row.count, max, 'cn-dash-bar-level cn-dash-level-' + row.level)),
        numCell(count(row.count)),
        numCell(percent(row.share))
      ]));
    });
    grid.appendChild(body);
    section.appendChild(grid);
    return section;
  }

  function handovers(handoverTable, reply) {
    handoverTable = handoverTable || { rows: [] };
    reply = reply || {};
    var section = block('cn-dash-handovers', 'Demandes de conseiller', 'handovers',
      plural(handoverTable.total, 'demande créée', 'demandes créées') + ' pendant la période, par motif.');
    if (!handoverTable.total) {
      section.appendChild(empty('Aucune demande de conseiller pendant la période.'));
      return section;
    }
    var grid = table('Demandes de conseiller par motif',
      [th('Motif'), chartHeader(), th('Demandes', { className: 'cn-dash-num' }), th('Part', { className: 'cn-dash-num' })]);
    var body = el('tbody');
    var max = Math.max.apply(null, handoverTable.rows.map(function (row) { return row.count; }));
    handoverTable.rows.forEach(function (row) {
      body.appendChild(el('tr', { dataset: { reason: row.reason } }, [
        el('th', { scope: 'row', text: row.label }),
        barCell(bar(row.count, max, 'cn-dash-bar-plain')),
        numCell(count(row.count)),
        numCell(percent(row.share))
      ]));
    });
    grid.appendChild(body);
    section.appendChild(grid);
    var answered = reply.replied
      ? 'Première réponse d’un conseiller : ' + delay(reply.median_seconds) + ' en médiane, ' +
        delay(reply.p90_seconds) + ' au plus pour 9 demandes sur 10 (' +
        plural(reply.replied, 'demande a reçu une réponse', 'demandes ont reçu une réponse') + ').'
      : 'Aucune demande n’a encore reçu de réponse d’un conseiller.';
    section.appendChild(el('p', { className: 'cn-dash-note cn-dash-after', text: answered }));
    section.appendChild(el('p', { className: 'cn-dash-csv-more' }, [
      'Délais de première réponse : ', csvLink('first_reply', 'délais de première réponse')
    ]));
    return section;
  }

  function dimensions(dimensionTable) {
    dimensionTable = dimensionTable || { rows: [] };
    var section = block('cn-dash-dimensions', 'Score moyen par thème', 'dimensions',
      'Score moyen sur 100 (' + plural(dimensionTable.completed, 'diagnostic terminé', 'diagnostics terminés') +
      '), et le chiffre national que le bilan cite pour chaque thème (il mesure autre chose : une part des TPE et PME).');
    if (!dimensionTable.completed) {
      section.appendChild(empty('Aucun diagnostic terminé pendant la période.'));
      return section;
    }
    var grid = table('Score moyen par thème et chiffre national de référence',
      [th('Thème'), chartHeader(), th('Score moyen', { className: 'cn-dash-num' }), th('Chiffre national (source, année)')],
      'cn-dash-dims');
    var body = el('tbody');
    function line(label, row, tag) {
      var reference = row.reference;
      var referenceCell = reference
        ? el('td', { className: 'cn-dash-reference' }, [
          el('span', { text: reference.text }),
          el('span', { className: 'cn-dash-source', text: reference.source + ', ' + reference.year })
        ])
        : el('td', { className: 'cn-dash-reference cn-dash-muted', text: 'Pas de chiffre national pour ce thème.' });
      return el('tr', { dataset: { dimension: tag } }, [
        el('th', { scope: 'row', text: label }),
        barCell(bar(row.mean || 0, 100, 'cn-dash-bar-score')),
        numCell(score(row.mean)),
        referenceCell
      ]);
    }
    dimensionTable.rows.forEach(function (row) { body.appendChild(line(row.label, row, row.dimension)); });
    grid.appendChild(body);
    if (dimensionTable.overall) {
      grid.appendChild(el('tfoot', null, [line('Score global', dimensionTable.overall, 'overall')]));
    }
    section.appendChild(el('div', { className: 'cn-dash-scroll' }, [grid]));
    return section;
  }

  function signals(id, title, name, column, signalTable, caption, none) {
    signalTable = signalTable || { rows: [] };
    var section = block(id, title, name, caption);
    if (!signalTable.rows || !signalTable.rows.length) {
      section.appendChild(empty(none));
      return section;
    }
    var grid = table(title, [th(column), chartHeader(), th('Mentions', { className: 'cn-dash-num' }),
      th('Conversations', { className: 'cn-dash-num' })]);
    var body = el('tbody');
    var max = signalTable.rows[0].count;
    signalTable.rows.forEach(function (row) {
      body.appendChild(el('tr', { dataset: { id: row.id } }, [
        el('th', { scope: 'row', text: row.label }),
        barCell(bar(row.count, max, 'cn-dash-bar-plain')),
        numCell(count(row.count)),
        numCell(count(row.conversations))
      ]));
    });
    grid.appendChild(body);
    section.appendChild(grid);
    return section;
  }

  // ---------------------------------------------------------------- page events

  document.addEventListener('cn:page', function (event) {
    if (!event.detail || event.detail.page !== 'dashboard' || !consoleApi()) return;
    if (!state.built) build();
    load();
  });

  document.addEventListener('cn:signed-out', function () {
    // The next account may not be a manager: nothing of these figures stays on the page.
    state.seq++;
    state.shown = null;
    var results = $('cn-dash-results');
    if (results) consoleApi().clear(results);
    var status = $('cn-dash-status');
    if (status) status.textContent = '';
  });
})();
