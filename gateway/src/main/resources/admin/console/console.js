// Security console: a thin client of /admin/api/. Everything shown comes from the API; data is
// put into the page with textContent only, never as HTML.
'use strict';

// Relative to the page (…/admin/), so that a reverse proxy may publish the admin listener below a
// path (docs/admin.md): an absolute /admin/api would leave that path.
const API = 'api';
const PAGE = 50;
// blocksFilter is the filter the shown block list was asked with: paging keeps it, whatever has been typed
// into the filter fields since, until the person searches again.
// signedIn: whoami answered, so a later 401 means the session ended (the token expired), not that there was none.
const state = { blocksOffset: 0, blocksFilter: null, eventsOffset: 0, allowlistOffset: 0, signedIn: false };

// ---- API access

async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (method !== 'GET') {
    // Without this header the API refuses changes (CSRF protection); other sites cannot send it.
    headers['X-Requested-With'] = 'gateway-console';
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(API + path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new Error('The gateway did not answer: ' + e.message);
  }
  let data = null;
  try {
    data = await response.json();
  } catch (e) {
    data = null;
  }
  if (!response.ok) {
    let text = data && data.message ? data.message : 'The request failed (' + response.status + ').';
    // A 503 (PostgreSQL unavailable) says when to try again: the person is told when, not just "shortly".
    const retry = retryAfterSeconds(response.headers.get('Retry-After'));
    if (retry !== null) {
      text += ' Try again in ' + retry + (retry === 1 ? ' second.' : ' seconds.');
    }
    const error = new Error(text);
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}

/** Retry-After as seconds from now (delay-seconds or an HTTP date), or null when absent or unreadable. */
function retryAfterSeconds(value) {
  if (!value) {
    return null;
  }
  const v = value.trim();
  if (/^\d+$/.test(v)) {
    return Number(v);
  }
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

// A view's answers can arrive out of order (a slow list, then a quick search): only the answer
// to the latest request of a view may fill it, or the view shows what no longer matches its form.
const latest = {};

function ticket(view) {
  const mine = (latest[view] || 0) + 1;
  latest[view] = mine;
  return () => latest[view] === mine;
}

// ---- small DOM helpers

function el(tag, text, attrs) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) {
    e.textContent = String(text);
  }
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'class') {
        e.className = v;
      } else {
        e.setAttribute(k, v);
      }
    }
  }
  return e;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    if (c instanceof Node && c.tagName === 'TD') {
      tr.appendChild(c);
    } else if (c instanceof Node) {
      const td = document.createElement('td');
      td.appendChild(c);
      tr.appendChild(td);
    } else {
      tr.appendChild(el('td', c === null || c === undefined ? '—' : c));
    }
  }
  return tr;
}

function fill(tbody, rows, columns, emptyText) {
  tbody.replaceChildren();
  if (rows.length === 0) {
    const td = el('td', emptyText, { class: 'empty', colspan: String(columns) });
    tbody.appendChild(row([td]));
    return;
  }
  rows.forEach(r => tbody.appendChild(r));
}

// Times are shown in the browser's time zone, which the header names (zoneText): staff on several sites
// compare them with their own clocks, and the API's UTC would be off by hours for most of them. Each time
// carries its own offset: across a daylight-saving change (a block made in summer, looked at in winter) the
// offset of today, in the header, is an hour off for it.
function when(iso) {
  if (!iso) {
    return null;
  }
  const d = new Date(iso);
  const pad = n => String(n).padStart(2, '0');
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' '
    + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + ' ' + utcOffset(d);
}

/** The browser zone's offset at that instant, as UTC+01:00. */
function utcOffset(d) {
  const minutes = -d.getTimezoneOffset();
  const abs = Math.abs(minutes);
  return 'UTC' + (minutes < 0 ? '-' : '+') + String(Math.floor(abs / 60)).padStart(2, '0') + ':'
    + String(abs % 60).padStart(2, '0');
}

function zoneText() {
  const offset = utcOffset(new Date());
  let name = '';
  try {
    name = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch (e) {
    name = '';
  }
  return 'Times in ' + offset + (name ? ' (' + name + ')' : '') + ', this browser\'s time zone, today; '
    + 'each time is marked with the offset it had';
}

function inTime(iso) {
  if (!iso) {
    return null;
  }
  const minutes = Math.round((new Date(iso).getTime() - Date.now()) / 60000);
  if (minutes <= 0) {
    return when(iso);
  }
  const rel = minutes < 120 ? minutes + ' min' : Math.round(minutes / 60) + ' h';
  return when(iso) + ' (in ' + rel + ')';
}

function say(text, kind) {
  const m = document.getElementById('message');
  m.textContent = text;
  m.className = 'message' + (kind ? ' ' + kind : '');
  m.hidden = !text;
}

function failed(e, recheck = true) {
  if (e.status === 401) {
    sessionEnded();
    say('Not signed in: ' + e.message, 'error');
  } else {
    say(e.message, 'error');
    const code = e.data && e.data.error;
    if (recheck && state.signedIn && e.status === 403 && (code === 'forbidden' || code === 'read_only')) {
      // Refused although this page was let in: the role was taken away, or reduced to the viewer's, while the page
      // was open (roles are read at every request). Asking who we are again puts the header and the edit controls
      // right, instead of the header going on with "Signed in as …" and the role it had.
      whoami();
    }
  }
}

// The access token is not refreshed on the admin listener (docs/admin.md): when the API answers 401 the header
// must stop saying "Signed in as …" and say what to do instead.
function sessionEnded() {
  const who = document.getElementById('who');
  who.replaceChildren(document.createTextNode(state.signedIn
    ? 'Your session has ended: sign in again on the site, then ' : 'Not signed in: sign in on the site, then '));
  const again = el('button', 'reload this page', { type: 'button', id: 'sign-in-again', class: 'link' });
  again.addEventListener('click', () => location.reload());
  who.appendChild(again);
  who.appendChild(document.createTextNode('.'));
}

function addressLink(cidr) {
  // A single address (IPv4 /32, IPv6 /128) opens its explanation; a range filters the block list. An IPv6 /32
  // is a wide range, not the address of its network.
  const whole = cidr.includes(':') ? /\/128$/ : /\/32$/;
  const single = whole.test(cidr);
  const target = single ? cidr.replace(whole, '') : cidr;
  const a = el('a', cidr, { class: 'mono', href: single ? '#address/' + encodeURIComponent(target) : '#blocks' });
  a.dataset.cidr = cidr;
  if (!single) {
    a.addEventListener('click', () => {
      document.getElementById('filter-q').value = cidr;
      searchBlocks();
    });
  }
  return a;
}

// ---- confirmation dialog (unblock, allowlist removal)

function confirmAction(title, text, label, okText) {
  const dialog = document.getElementById('confirm-dialog');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-reason-label').textContent = label;
  document.getElementById('confirm-ok').textContent = okText;
  const input = document.getElementById('confirm-reason');
  input.value = '';
  // The dialog gives the focus back to what opened it when it closes; refocus() covers a view redrawn since.
  const opener = document.activeElement;
  return new Promise(resolve => {
    const form = document.getElementById('confirm-form');
    const cancel = document.getElementById('confirm-cancel');
    const done = value => {
      form.removeEventListener('submit', onSubmit);
      cancel.removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
      dialog.close();
      resolve(value === null ? null : { value, opener });
    };
    const onSubmit = ev => {
      ev.preventDefault();
      if (!input.value.trim()) {
        input.focus();
        return;
      }
      done(input.value.trim());
    };
    const onCancel = ev => {
      ev.preventDefault();
      done(null);
    };
    form.addEventListener('submit', onSubmit);
    cancel.addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    input.focus();
  });
}

// After a confirmed action has redrawn its view, the button that opened the dialog may be gone (the block it
// lifted, the entry it removed): a keyboard user would be sent back to the top of the page. The focus goes to
// the same control if the view has it again, else to the message that says what happened.
function refocus(opener) {
  if (opener && opener.isConnected && opener !== document.body) {
    opener.focus();
    return;
  }
  const again = opener && opener.id ? document.getElementById(opener.id) : null;
  const target = again || document.getElementById('message');
  target.focus();
}

async function unblock(target, afterwards) {
  const confirmed = await confirmAction('Unblock ' + target + '?',
    'Lifts the blocks of ' + target + ' on every gateway node. A range block containing it stays until you unblock the range.',
    'Reason for unblocking', 'Unblock');
  if (confirmed === null) {
    return;
  }
  try {
    const r = await api('POST', '/unblock', { target, reason: confirmed.value });
    say('Unblocked ' + r.target + ': ' + r.lifted.length + ' block(s) lifted.', 'ok');
    await afterwards();
  } catch (e) {
    failed(e);
  }
  refocus(confirmed.opener);
}

// ---- views

/** A new search with the filter fields as they are now, from its first page. */
function searchBlocks() {
  state.blocksFilter = {
    q: document.getElementById('filter-q').value.trim(),
    kind: document.getElementById('filter-kind').value,
    sort: document.getElementById('filter-sort').value,
    active: document.getElementById('filter-active').checked ? 'true' : 'false',
  };
  state.blocksOffset = 0;
  return loadBlocks();
}

/** The page at state.blocksOffset of the search last made (state.blocksFilter). */
async function loadBlocks() {
  if (!state.blocksFilter) {
    return searchBlocks();
  }
  const f = state.blocksFilter;
  const params = new URLSearchParams({
    kind: f.kind, sort: f.sort, active: f.active, offset: String(state.blocksOffset), limit: String(PAGE),
  });
  if (f.q) {
    params.set('q', f.q);
  }
  const current = ticket('blocks');
  try {
    const page = await api('GET', '/blocks?' + params);
    if (!current()) {
      return;
    }
    if (page.items.length === 0 && page.offset > 0) {
      // The list shrank under the page asked for (its last blocks lifted or expired): show the page before it,
      // as the allowlist does.
      state.blocksOffset = Math.max(0, Math.min(page.offset - PAGE, Math.floor((page.total - 1) / PAGE) * PAGE));
      return loadBlocks();
    }
    const tbody = document.querySelector('#blocks-table tbody');
    fill(tbody, page.items.map(b => {
      const tr = row([
        addressLink(b.cidr),
        b.kind,
        b.kind === 'manual' ? (b.note || 'manual') : b.reasonText,
        el('td', b.invalidLogins, { class: 'num' }),
        when(b.firstSeen), when(b.lastSeen), inTime(b.expiresAt),
        b.createdBy || 'gateway',
        el('td', b.active ? 'active' : (b.liftedAt ? 'lifted by ' + b.liftedBy : 'expired'),
          { class: b.active ? 'status-active' : 'status-ended' }),
      ]);
      tr.dataset.cidr = b.cidr;
      return tr;
    }), 9, 'No blocks match.');
    const last = Math.min(page.offset + page.items.length, page.total);
    document.getElementById('blocks-range').textContent =
      page.total === 0 ? 'No blocks' : (page.offset + 1) + '–' + last + ' of ' + page.total;
    document.getElementById('blocks-prev').disabled = page.offset === 0;
    document.getElementById('blocks-next').disabled = last >= page.total;
  } catch (e) {
    if (current()) {
      failed(e);
    }
  }
}

function keyRow(label, k) {
  const blockedClients = k.blockedClientLimit > 0 ? k.blockedClientsInWindow + ' of ' + k.blockedClientLimit : '—';
  return row([
    el('span', label + ' ' + k.subject, { class: 'mono' }),
    el('td', k.failuresInWindow, { class: 'num' }),
    el('td', k.failureLimit, { class: 'num' }),
    el('td', blockedClients, { class: 'num' }),
    inTime(k.blockedUntil),
    el('td', k.totalFailures, { class: 'num' }),
    k.firstFailure ? when(k.firstFailure) + ' / ' + when(k.lastFailure) : null,
    k.successHeadroom ? 'yes, ' + when(k.lastSuccess) + ' (limits raised)' : (k.lastSuccess ? when(k.lastSuccess) : 'no'),
  ]);
}

function verdictText(x) {
  if (x.allowlisted) {
    // A manual block covering it stays active (listed below), as the block's answer warned: say which wins.
    const m = x.manualBlock;
    return x.address + ' is allowlisted by ' + x.allowlistEntry.cidr + ' (' + x.allowlistEntry.note + '): never blocked.'
      + (m ? ' The manual block ' + m.cidr + ' until ' + when(m.until) + ' (' + m.reason + ', by ' + m.createdBy
        + ') is not enforced: the allowlist wins over blocks.' : '');
  }
  if (!x.blocked) {
    return x.address + ' is not blocked.';
  }
  const d = x.decision;
  const by = d.kind === 'manual' ? 'a manual block of ' + d.subject
    : d.kind === 'range' ? 'its range ' + d.subject : 'its own block ' + d.subject;
  return x.address + ' is BLOCKED by ' + by + ' until ' + when(d.until) + ' (' + (d.reasonText || d.reason) + ').';
}

// What an edit or decision did, from its audit details: the note alone ("SEC-51") does not say that a block was made
// until tomorrow or shortened to ten minutes by replacing one, nor which blocks an unblock lifted.
function auditDetail(e) {
  const d = e.details || {};
  const parts = [];
  if (d.expiresAt) {
    parts.push('until ' + when(d.expiresAt));
  }
  if (typeof d.invalidLogins === 'number') {
    parts.push(d.invalidLogins + ' invalid logins');
  }
  const replaced = (d.replacedBlockIds || d.replacedIds || []).length;
  if (replaced > 0) {
    parts.push(d.replacedBlockIds ? 'replaced the active manual block of the same range, which it lifted'
      : 'replaced the entry of the same range');
  }
  if (Array.isArray(d.lifted)) {
    parts.push(d.lifted.length === 0 ? 'lifted nothing' : 'lifted ' + d.lifted.map(b =>
      b.cidr + ' (' + b.kind + ', was until ' + when(b.expiresAt) + ')').join(', '));
  }
  return parts.join('; ');
}

/** The note of an audit event and what it did, one cell. */
function auditNote(e) {
  const text = [e.note, auditDetail(e)].filter(Boolean).join(' · ');
  return text || null;
}

async function explain(address) {
  document.getElementById('explain-address').value = address;
  const current = ticket('address');
  try {
    const x = await api('GET', '/explain/' + encodeURIComponent(address));
    if (!current()) {
      return;
    }
    document.getElementById('explain-result').hidden = false;
    const verdict = document.getElementById('explain-verdict');
    verdict.textContent = verdictText(x);
    verdict.className = 'verdict ' + (x.blocked ? 'blocked' : 'allowed');
    const actions = document.getElementById('explain-actions');
    actions.replaceChildren();
    const activeBlocks = x.history.blocks.filter(b => b.active);
    if (x.blocked || activeBlocks.length > 0) {
      const b = el('button', 'Unblock ' + x.address, { type: 'button', id: 'unblock-address', class: 'danger edit' });
      b.addEventListener('click', () => unblock(x.address, () => explain(x.address)));
      actions.appendChild(b);
    }
    fill(document.querySelector('#explain-counters tbody'),
      [keyRow('client', x.client), keyRow('range', x.range)], 8, '');
    const s = x.surge;
    document.getElementById('explain-surge').textContent = s.active
      ? 'Surge mode is ON since ' + when(s.since) + ': ' + s.failuresPerMinute + ' invalid logins per minute; limits ×' + s.limitFactor + '.'
      : 'Surge mode is off (' + s.failuresPerMinute + ' invalid logins per minute; it starts at ' + s.enterAt + ').';
    // The history is that of the key the address is counted and blocked under (an IPv6 /64), so name it: the
    // unblock that lifted the block of 2001:db8::5 may have named 2001:db8::7.
    const key = x.history.subject || x.address;
    document.getElementById('explain-blocks-caption').textContent =
      'Active and past blocks overlapping ' + key + ', the key ' + x.address + ' is counted and blocked under';
    document.getElementById('explain-events-caption').textContent =
      'Recorded edits and decisions about ' + key + ' and the ranges containing it';
    fill(document.querySelector('#explain-blocks tbody'), x.history.blocks.map(b => {
      let action = null;
      if (b.active) {
        action = el('button', 'Unblock ' + b.cidr, { type: 'button', class: 'secondary edit' });
        action.addEventListener('click', () => unblock(b.cidr, () => explain(x.address)));
      }
      return row([el('span', b.cidr, { class: 'mono' }), b.kind, b.kind === 'manual' ? b.note : b.reasonText,
        when(b.createdAt), when(b.expiresAt),
        el('td', b.active ? 'active' : (b.liftedAt ? 'lifted by ' + b.liftedBy : 'expired'),
          { class: b.active ? 'status-active' : 'status-ended' }),
        action]);
    }), 7, 'No blocks recorded.');
    fill(document.querySelector('#explain-events tbody'), x.history.events.map(e =>
      row([when(e.at), e.action, e.subject, e.actor || 'gateway', auditNote(e), e.node])), 6, 'No audit events.');
    // Logins are looked up under the key the address is counted by (an IPv6 /64), so name it: the failures
    // that blocked 2001:db8::5 may have come from 2001:db8::7.
    const from = x.history.loginsFrom || x.address;
    document.getElementById('explain-logins-caption').textContent =
      'Login outcomes this gateway node saw from ' + from + ', the key its invalid logins are counted under';
    fill(document.querySelector('#explain-logins tbody'), x.history.logins.map(l =>
      row([when(l.at), l.outcome, el('span', l.address, { class: 'mono' }), l.loginName, l.detail])), 5,
      'No logins seen from ' + from + ' on this node.');
  } catch (e) {
    if (!current()) {
      return;
    }
    document.getElementById('explain-result').hidden = true;
    failed(e);
  }
}

async function loadAllowlist() {
  const current = ticket('allowlist');
  try {
    const page = await api('GET', '/allowlist?offset=' + state.allowlistOffset + '&limit=' + PAGE);
    if (!current()) {
      return;
    }
    if (page.items.length === 0 && page.offset > 0) {
      // The last entry of the last page was removed: show the page before it.
      state.allowlistOffset = Math.max(0, Math.min(page.offset - PAGE, Math.floor((page.total - 1) / PAGE) * PAGE));
      return loadAllowlist();
    }
    fill(document.querySelector('#allowlist-table tbody'), page.items.map(a => {
      let action = null;
      if (a.source === 'console') {
        action = el('button', 'Remove ' + a.cidr, { type: 'button', class: 'secondary edit' });
        action.addEventListener('click', async () => {
          const confirmed = await confirmAction('Remove ' + a.cidr + ' from the allowlist?',
            'Its addresses can be blocked again on every node.', 'Why', 'Remove');
          if (confirmed === null) {
            return;
          }
          try {
            await api('DELETE', '/allowlist/' + encodeURIComponent(a.cidr), { note: confirmed.value });
            say('Removed ' + a.cidr + ' from the allowlist.', 'ok');
            await loadAllowlist();
          } catch (e) {
            failed(e);
          }
          refocus(confirmed.opener);
        });
      }
      return row([el('span', a.cidr, { class: 'mono' }), a.note, a.createdBy, when(a.createdAt), a.source, action]);
    }), 6, 'The allowlist is empty.');
    // The API answers a page at a time: the count says how much there is, so a page is not taken for the whole.
    const last = Math.min(page.offset + page.items.length, page.total);
    document.getElementById('allowlist-range').textContent =
      page.total === 0 ? 'No entries' : (page.offset + 1) + '–' + last + ' of ' + page.total;
    document.getElementById('allowlist-prev').disabled = page.offset === 0;
    document.getElementById('allowlist-next').disabled = last >= page.total;
  } catch (e) {
    if (current()) {
      failed(e);
    }
  }
}

async function loadEvents() {
  const type = document.getElementById('events-type').value;
  const current = ticket('events');
  try {
    const page = await api('GET', '/events?type=' + type + '&offset=' + state.eventsOffset + '&limit=' + PAGE);
    if (!current()) {
      return;
    }
    fill(document.querySelector('#events-table tbody'), page.items.map(e => e.type === 'login'
      ? row([when(e.at), 'login ' + e.outcome, el('span', e.address, { class: 'mono' }), e.loginName, e.detail, e.node])
      : row([when(e.at), e.action, e.subject ? el('span', e.subject, { class: 'mono' }) : null, e.actor || 'gateway', auditNote(e), e.node])),
    6, 'No events.');
    const last = page.offset + page.items.length;
    document.getElementById('events-range').textContent = page.items.length === 0 ? 'No events'
      : (page.offset + 1) + '–' + last + ' of ' + page.total;
    document.getElementById('events-prev').disabled = page.offset === 0;
    document.getElementById('events-next').disabled = page.items.length < PAGE || last >= Math.min(page.total, 500);
  } catch (e) {
    if (current()) {
      failed(e);
    }
  }
}

// ---- navigation

const VIEWS = ['blocks', 'address', 'edit', 'allowlist', 'events'];

function decodedHash() {
  const raw = location.hash.replace(/^#/, '');
  try {
    return decodeURIComponent(raw);
  } catch (e) {
    // A broken escape in a link (URIError) would stop the console before any view or message;
    // taken as typed, the API says what is wrong with it.
    return raw;
  }
}

function route() {
  const hash = decodedHash();
  const [view, arg] = hash.split(/\/(.*)/s);
  const current = VIEWS.includes(view) ? view : 'blocks';
  for (const v of VIEWS) {
    document.getElementById('view-' + v).hidden = v !== current;
    const link = document.getElementById('nav-' + v);
    if (v === current) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  if (current === 'blocks') {
    searchBlocks();
  } else if (current === 'address' && arg) {
    explain(arg);
  } else if (current === 'allowlist') {
    loadAllowlist();
  } else if (current === 'events') {
    loadEvents();
  }
}

function wire() {
  document.getElementById('blocks-filter').addEventListener('submit', ev => {
    ev.preventDefault();
    searchBlocks();
  });
  document.getElementById('blocks-prev').addEventListener('click', () => {
    state.blocksOffset = Math.max(0, state.blocksOffset - PAGE);
    loadBlocks();
  });
  document.getElementById('blocks-next').addEventListener('click', () => {
    state.blocksOffset += PAGE;
    loadBlocks();
  });
  document.getElementById('allowlist-prev').addEventListener('click', () => {
    state.allowlistOffset = Math.max(0, state.allowlistOffset - PAGE);
    loadAllowlist();
  });
  document.getElementById('allowlist-next').addEventListener('click', () => {
    state.allowlistOffset += PAGE;
    loadAllowlist();
  });
  document.getElementById('explain-form').addEventListener('submit', ev => {
    ev.preventDefault();
    const a = document.getElementById('explain-address').value.trim();
    if (location.hash === '#address/' + encodeURIComponent(a)) {
      explain(a);
    } else {
      location.hash = '#address/' + encodeURIComponent(a);
    }
  });
  document.getElementById('block-form').addEventListener('submit', async ev => {
    ev.preventDefault();
    const body = {
      target: document.getElementById('block-target').value.trim(),
      duration: document.getElementById('block-duration').value.trim(),
      reason: document.getElementById('block-reason').value.trim(),
    };
    try {
      const b = await api('POST', '/blocks', body);
      const allowed = (b.allowlistOverlaps || []).map(a => a.cidr + ' (' + a.note + ')');
      say('Blocked ' + b.cidr + ' until ' + when(b.expiresAt) + ' on every node.'
          + (allowed.length ? ' Not enforced within ' + allowed.join(', ')
              + ': allowlisted, and the allowlist wins over blocks.' : ''), allowed.length ? 'warn' : 'ok');
      document.getElementById('block-form').reset();
    } catch (e) {
      failed(e);
    }
  });
  document.getElementById('allow-form').addEventListener('submit', async ev => {
    ev.preventDefault();
    const body = {
      target: document.getElementById('allow-target').value.trim(),
      note: document.getElementById('allow-note').value.trim(),
    };
    try {
      const a = await api('POST', '/allowlist', body);
      say('Allowlisted ' + a.cidr + ' on every node.', 'ok');
      document.getElementById('allow-form').reset();
    } catch (e) {
      failed(e);
    }
  });
  document.getElementById('events-filter').addEventListener('submit', ev => {
    ev.preventDefault();
    state.eventsOffset = 0;
    loadEvents();
  });
  document.getElementById('events-prev').addEventListener('click', () => {
    state.eventsOffset = Math.max(0, state.eventsOffset - PAGE);
    loadEvents();
  });
  document.getElementById('events-next').addEventListener('click', () => {
    state.eventsOffset += PAGE;
    loadEvents();
  });
  document.querySelectorAll('nav a').forEach(a => a.addEventListener('click', () => say('')));
  window.addEventListener('hashchange', route);
}

async function whoami() {
  try {
    const me = await api('GET', '/whoami');
    state.signedIn = true;
    document.getElementById('who').textContent = 'Signed in as ' + me.actor
      + (me.access === 'loopback' ? ' (local access)' : '')
      + (me.role === 'viewer' ? ' (read only: blocking, unblocking and allowlist changes need the staff role)' : '');
    // A viewer's changes would be refused (403 read_only) anyway: the class hides the controls that make them
    // (elements with class "edit", drawn now or later) and shows the notes that say why.
    document.body.classList.toggle('read-only', me.role === 'viewer');
  } catch (e) {
    // Only a 401 means there is no session (failed() then says so in the header); a 503 (the role cannot be checked
    // while PostgreSQL is down) or a 403 (signed in, without the role) does not: "Not signed in" would send the
    // person to sign in again, which cannot help.
    const d = e.data || {};
    document.getElementById('who').textContent = e.status === 503 || e.status === undefined
      ? 'Who you are cannot be checked right now: reload the page to try again'
      : e.status === 403 && d.actor
        ? 'Signed in as ' + d.actor + ' without access: the console needs the ' + d.staffRole + ' role'
          + (d.viewerRole ? ' (or the ' + d.viewerRole + ' role to read it)' : '') + '; ask a security administrator'
        : e.status === 403 ? 'No access: ' + e.message : 'Not signed in';
    failed(e, false);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('zone').textContent = zoneText();
  wire();
  whoami();
  route();
});
