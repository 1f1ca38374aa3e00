// The public board page keeps itself up to date: it asks the leaderboard API every two seconds
// with If-None-Match (a 304 costs nothing), draws the rows again when the board changed, and
// says so when the server cannot be reached and when it is back. Plain JavaScript, no build.
(function () {
  "use strict";

  const main = document.getElementById("board");
  if (!main) return;
  const api = main.dataset.api;
  const every = Number(main.dataset.poll) || 2000;
  const statuses = JSON.parse(main.dataset.statuses || "{}");
  const VIEWS = {
    final: ["最终成绩", "Final results"],
    frozen: ["封榜", "Frozen"],
    live: ["实时暂定", "Live, provisional"],
  };
  let etag = main.dataset.etag || "";
  let lost = false;
  let hideBanner = null;

  const $ = (id) => document.getElementById(id);

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function bilingual(node, pair) {
    node.textContent = pair[0] + " ";
    node.appendChild(element("span", "en", pair[1]));
  }

  function clock() {
    return new Date().toLocaleTimeString("zh-CN", { hour12: false });
  }

  function row(data, before) {
    const tr = element("tr");
    tr.dataset.entry = data.entry_id;
    tr.dataset.rank = String(data.rank);
    tr.dataset.score = String(data.score);
    tr.appendChild(element("td", "rank", String(data.rank)));
    const who = element("td", "who");
    if (data.team_name) who.appendChild(element("div", "team", data.team_name));
    const workers = data.worker_names || [];
    if (workers.length) who.appendChild(element("div", "workers", workers.join("、")));
    who.appendChild(element("div", "enterprise", data.enterprise_name || "—"));
    tr.appendChild(who);
    tr.appendChild(element("td", "score", Number(data.score).toFixed(2)));
    tr.appendChild(element("td", "award", data.award || ""));
    const was = before.get(data.entry_id);
    if (!was || Number(was.rank) !== data.rank || Number(was.score) !== Number(data.score)) {
      tr.classList.add("changed");
    }
    return tr;
  }

  function render(board) {
    const body = $("rows");
    const before = new Map();
    for (const tr of body.querySelectorAll("tr")) {
      before.set(tr.dataset.entry, { rank: tr.dataset.rank, score: tr.dataset.score });
    }
    const fresh = document.createDocumentFragment();
    for (const data of board.rows) fresh.appendChild(row(data, before));
    body.replaceChildren(fresh);
    $("rows-table").className = board.final ? "final" : "";
    $("empty").hidden = board.rows.length > 0;
    $("count").textContent = String(board.total);
    const more = $("more");
    more.hidden = board.total <= board.rows.length;
    if (!more.hidden) {
      const shown = board.rows.length;
      more.textContent = " · 显示前 " + shown + " 名 ";
      more.appendChild(element("span", "en", "showing the top " + shown));
    }
    const status = $("status");
    status.className = "badge status-" + board.status;
    bilingual(status, statuses[board.status] || [board.status, board.status]);
    const view = $("view");
    view.className = "badge view-" + board.view;
    bilingual(view, VIEWS[board.view] || [board.view, board.view]);
    const note = $("frozen-note");
    if (note) note.hidden = !board.frozen;
    $("version").textContent = String(board.version);
    $("updated").textContent = clock();
  }

  function banner(text, className) {
    const node = $("connection");
    clearTimeout(hideBanner);
    bilingual(node, text);
    node.className = "connection " + className;
    node.hidden = false;
  }

  function reached() {
    if (!lost) return;
    lost = false;
    banner(["已恢复连接", "Connection restored"], "back");
    hideBanner = setTimeout(() => {
      $("connection").hidden = true;
    }, 4000);
    bilingual($("live"), ["实时更新", "Live"]);
  }

  function unreachable() {
    if (lost) return;
    lost = true;
    banner(["连接中断，正在重试…", "Connection lost, retrying…"], "lost");
    bilingual($("live"), ["连接中断", "Offline"]);
  }

  async function poll() {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(every * 3, 5000));
    try {
      const response = await fetch(api, {
        headers: { Accept: "application/json", "If-None-Match": etag },
        cache: "no-store",
        signal: controller.signal,
      });
      if (response.status === 200) {
        const board = await response.json();
        etag = response.headers.get("ETag") || "";
        render(board);
        reached();
      } else if (response.status === 304) {
        reached();
      } else {
        unreachable();
      }
    } catch (error) {
      unreachable();
    } finally {
      clearTimeout(timer);
      setTimeout(poll, every);
    }
  }

  $("updated").textContent = clock();
  setTimeout(poll, every);
})();
