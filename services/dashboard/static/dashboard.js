/* The front page, kept current from the dashboard's stream: plain script, no build step.
 *
 * The server renders the page; this script draws the three charts (Chart.js, served from this
 * package), then listens to the stream. A `targets` message updates the cards and the county
 * charts (and fetches the promotions' monthly series again); a `boards` message redraws the
 * boards. Names are set as text, never as HTML. When the stream is lost (no connection for
 * LOST_AFTER_MS: longer than the server's `retry`, so a stream ending on schedule never shows)
 * a banner says so, and says so again when it is back. EventSource reconnects by itself after
 * a dropped connection; after a refusal (a 503, say) it gives up, so this script starts a new
 * one, waiting a little longer each time.
 */
(function () {
  "use strict";

  const LOST_AFTER_MS = 5000;
  const BACK_SHOWN_MS = 6000;
  const RETRY_MS = [2000, 4000, 8000, 15000, 30000];
  const initial = JSON.parse(document.getElementById("initial").textContent);
  const counties = initial.counties;
  const charts = {};
  let year = initial.targets.year;
  let promotions = current(initial.targets, "yearly_promotions");

  // -- formatting, as the server formats -----------------------------------------------------
  function number(value, decimals) {
    if (value === null || value === undefined) return "—";
    return value.toLocaleString("en-US", {
      minimumFractionDigits: decimals || 0,
      maximumFractionDigits: decimals || 0,
    });
  }

  function figure(value, unit) {
    if (unit === "percent") return value === null || value === undefined ? "—" : value.toFixed(1) + "%";
    return number(value, 0);
  }

  function localTime(iso) {
    try {
      return new Date(iso).toLocaleString("sv-SE", { timeZone: "Asia/Shanghai", hour12: false });
    } catch (error) {
      return iso;
    }
  }

  function current(answer, key) {
    const target = answer.targets.find((t) => t.key === key);
    return target ? target.current : null;
  }

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined && text !== null) made.textContent = String(text);
    return made;
  }

  function bilingual(tag, className, zh, en) {
    const made = element(tag, className, zh + " ");
    made.appendChild(element("span", "en", en));
    return made;
  }

  function setText(root, selector, text) {
    const found = root.querySelector(selector);
    if (found && found.textContent !== text) {
      found.textContent = text;
      found.classList.remove("changed");
      void found.offsetWidth; // restart the flash
      found.classList.add("changed");
    }
  }

  // -- the targets ----------------------------------------------------------------------------
  function renderTargets(answer) {
    document.getElementById("as-of").textContent = localTime(answer.as_of);
    document.getElementById("as-of").setAttribute("datetime", answer.as_of);
    document.getElementById("year").textContent = answer.year;
    let onPace = 0;
    for (const t of answer.targets) {
      if (t.on_track) onPace += 1;
      const card = document.querySelector(`.target[data-key="${t.key}"]`);
      if (!card) continue;
      card.classList.toggle("ahead", Boolean(t.on_track));
      card.classList.toggle("behind", !t.on_track);
      setText(card, ".current", figure(t.current, t.unit));
      setText(card, ".goal-value", figure(t.goal, t.unit));
      setText(card, ".ratio", number((t.ratio || 0) * 100, 1) + "%");
      if (t.pace !== null) setText(card, ".expected", figure(t.expected, t.unit));
      const bar = card.querySelector(".bar");
      bar.setAttribute("aria-valuenow", ((t.ratio || 0) * 100).toFixed(1));
      bar.querySelector(".fill").style.width = Math.min((t.ratio || 0) * 100, 100) + "%";
      const pace = bar.querySelector(".pace");
      if (pace && t.pace !== null) pace.style.left = t.pace * 100 + "%";
      const verdict = card.querySelector(".verdict");
      verdict.replaceChildren(
        ...(t.on_track
          ? [document.createTextNode("✓ 达到进度 "), element("span", "en", "on pace")]
          : [document.createTextNode("✗ 落后 "), element("span", "en", "behind")])
      );
    }
    setText(document, "#on-pace", String(onPace));
  }

  // -- the boards -----------------------------------------------------------------------------
  function renderBoards(answer) {
    const boards = document.getElementById("boards");
    const made = answer.boards.map(renderBoard);
    if (!made.length) {
      made.push(bilingual("p", "empty", "当前没有正在评分的竞赛", "No competition is being scored now"));
    }
    boards.replaceChildren(...made);
  }

  function renderBoard(board) {
    const card = element("article", "card board");
    card.dataset.competition = board.competition_id;
    card.appendChild(element("h3", null, board.title || board.competition_id));
    const meta = element("p", "board-meta");
    meta.appendChild(
      board.final
        ? bilingual("span", "badge final", "已发布", "final")
        : bilingual("span", "badge scoring", "评分中", "provisional")
    );
    if (board.frozen) meta.appendChild(bilingual("span", "badge frozen", "封榜", "frozen"));
    meta.appendChild(bilingual("span", "total", board.total + " 个上榜", "ranked"));
    card.appendChild(meta);
    if (!board.rows.length) {
      card.appendChild(bilingual("p", "empty", "尚无评分", "no scores yet"));
      return card;
    }
    const table = element("table");
    const head = element("tr");
    head.append(
      bilingual("th", "rank", "名次", "Rank"),
      bilingual("th", null, "企业 / 班组·选手", "Enterprise / team or workers"),
      bilingual("th", "score", "得分", "Score")
    );
    table.appendChild(element("thead")).appendChild(head);
    const body = table.appendChild(element("tbody"));
    for (const row of board.rows) {
      const line = element("tr");
      line.dataset.entry = row.entry_id;
      const who = element("td", "who");
      who.appendChild(element("span", "enterprise", row.enterprise_name || row.enterprise_id || "—"));
      const names = [row.team_name, (row.worker_names || []).join("、")].filter(Boolean).join(" · ");
      if (names) who.appendChild(element("span", "names", names));
      const score = element("td", "score", number(row.score, 2));
      if (row.award) score.appendChild(element("span", "award", row.award));
      line.append(element("td", "rank", row.rank), who, score);
      body.appendChild(line);
    }
    card.appendChild(table);
    return card;
  }

  // -- the charts -----------------------------------------------------------------------------
  function countyLabels(byRegion) {
    return Object.keys(byRegion).map((code) => (counties[code] ? counties[code].join(" ") : code));
  }

  function drawCharts() {
    if (!window.Chart) return; // the figures still read without them
    const size = parseFloat(getComputedStyle(document.documentElement).fontSize);
    Chart.defaults.font.size = Math.round(size * 0.72);
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = "#334";
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    charts.promotions = new Chart(document.getElementById("promotions-chart"), {
      type: "line",
      data: promotionsData(initial.history),
      options: {
        spanGaps: false,
        scales: { y: { beginAtZero: true } },
        plugins: { legend: { position: "bottom" } },
      },
    });
    for (const [name, shown] of Object.entries(initial.county_charts)) {
      charts[name] = new Chart(document.getElementById(name + "-chart"), {
        type: "bar",
        data: countyChartData(initial.targets, shown),
        options: {
          indexAxis: "y", // the seven counties down the side: every name fits, on a phone too
          scales: {
            x: { beginAtZero: true, max: 100, ticks: { maxTicksLimit: 6, callback: (v) => v + "%" } },
            y: { ticks: { autoSkip: false } },
          },
          plugins: { legend: { position: "bottom" } },
        },
      });
    }
  }

  function promotionsData(history) {
    return {
      labels: history.points.map((p) => p.month + "月"),
      datasets: [
        {
          label: "晋级人数 promoted",
          data: history.points.map((p) => p.value),
          borderColor: "#d84315",
          backgroundColor: "#d84315",
          borderWidth: 3,
          pointRadius: 3,
        },
        {
          label: "进度线 pace to " + number(history.goal, 0),
          data: history.points.map((p) => p.expected),
          borderColor: "#1d2733",
          borderDash: [8, 6],
          borderWidth: 2,
          pointRadius: 0,
        },
      ],
    };
  }

  function countyChartData(answer, shown) {
    const byKey = Object.fromEntries(answer.targets.map((t) => [t.key, t]));
    const targets = shown.map(([key]) => byKey[key]);
    const labels = countyLabels(targets[0].by_region);
    const colours = ["#d84315", "#1565c0"];
    const datasets = targets.map((t, i) => ({
      type: "bar",
      label: t.label + " " + shown[i][1],
      data: Object.values(t.by_region),
      backgroundColor: colours[i],
    }));
    datasets.push({
      type: "line",
      indexAxis: "y",
      label: "目标 goal " + figure(targets[0].goal, "percent"),
      data: labels.map(() => targets[0].goal),
      borderColor: "#1b7a3a",
      borderDash: [6, 4],
      borderWidth: 2,
      pointRadius: 0,
    });
    return { labels, datasets };
  }

  function redraw(chart, data) {
    if (!chart) return;
    chart.data.labels = data.labels;
    data.datasets.forEach((set, i) => {
      if (chart.data.datasets[i]) Object.assign(chart.data.datasets[i], { data: set.data, label: set.label });
    });
    chart.update("none");
  }

  let historyBusy = false;
  let historyAgain = false;
  function refreshHistory() {
    if (historyBusy) {
      historyAgain = true;
      return;
    }
    historyBusy = true;
    fetch("api/v1/targets/yearly_promotions/history?year=" + encodeURIComponent(year))
      .then((answer) => (answer.ok ? answer.json() : null))
      .then((history) => {
        if (history) {
          redraw(charts.promotions, promotionsData(history));
          document.getElementById("promotions-goal").textContent = number(history.goal, 0);
        }
      })
      .catch(() => {})
      .finally(() => {
        historyBusy = false;
        if (historyAgain) {
          historyAgain = false;
          refreshHistory();
        }
      });
  }

  function onTargets(answer) {
    renderTargets(answer);
    for (const [name, shown] of Object.entries(initial.county_charts)) {
      redraw(charts[name], countyChartData(answer, shown));
    }
    const moved = current(answer, "yearly_promotions");
    if (moved !== promotions || answer.year !== year) {
      promotions = moved;
      year = answer.year;
      refreshHistory();
    }
  }

  // -- the live connection --------------------------------------------------------------------
  const live = document.getElementById("live");
  const banner = document.getElementById("banner");
  let lostTimer = null;
  let backTimer = null;
  let lost = false;

  function showLive(state) {
    document.body.dataset.live = state;
    const words = {
      open: ["实时", "live"],
      connecting: ["连接中", "connecting"],
      lost: ["实时连接中断", "live connection lost"],
    }[state];
    live.replaceChildren(document.createTextNode(words[0] + " "), element("span", "en", words[1]));
  }

  function showBanner(kind, zh, en) {
    clearTimeout(backTimer);
    banner.className = "banner " + kind;
    banner.replaceChildren(document.createTextNode(zh + " · "), element("span", "en", en));
    banner.hidden = false;
  }

  function opened() {
    clearTimeout(lostTimer);
    lostTimer = null;
    showLive("open");
    if (lost) {
      lost = false;
      showBanner("back", "实时连接已恢复，数据已更新", "live connection restored, figures up to date");
      backTimer = setTimeout(() => {
        banner.hidden = true;
      }, BACK_SHOWN_MS);
    }
  }

  function dropped() {
    if (lost || lostTimer) return;
    if (document.body.dataset.live !== "lost") showLive("connecting");
    lostTimer = setTimeout(() => {
      lostTimer = null;
      lost = true;
      showLive("lost");
      const asOf = document.getElementById("as-of").textContent.split(" ").pop();
      showBanner(
        "lost",
        "实时连接中断，正在重新连接；数据截至 " + asOf,
        "live connection lost, reconnecting; figures as of " + asOf
      );
    }, LOST_AFTER_MS);
  }

  function connect(open, attempt) {
    const source = open();
    source.addEventListener("open", () => {
      attempt = 0;
      opened();
    });
    source.addEventListener("targets", (message) => {
      opened();
      onTargets(JSON.parse(message.data));
    });
    source.addEventListener("boards", (message) => {
      opened();
      renderBoards(JSON.parse(message.data));
    });
    source.addEventListener("error", () => {
      dropped();
      if (source.readyState === EventSource.CLOSED) {
        // refused (not a dropped connection): EventSource will not try again by itself
        const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
        setTimeout(() => connect(open, attempt + 1), wait);
      }
    });
  }

  window.Dashboard = {
    start(open) {
      drawCharts();
      showLive("connecting");
      connect(open, 0);
    },
  };
})();
