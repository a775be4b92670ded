"""The report's one stylesheet and its one small script (legend toggles); nothing loads from elsewhere."""

STYLE = """
:root{--fg:#1d2733;--muted:#5b6876;--line:#e3e8ee;--bg:#f6f8fa;--card:#fff;--accent:#2f6fdf}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--fg);background:var(--bg)}
header{background:#17324d;color:#fff;padding:20px 32px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#c6d4e3}
header a.site{color:#c6d4e3;font-size:15px;font-weight:normal;margin-left:8px}
main{max-width:1100px;margin:0 auto;padding:20px 24px 40px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:0 0 18px}
h2{font-size:17px;margin:0 0 10px}
.count{color:var(--muted);font-weight:normal;font-size:14px;margin-left:6px}
.hint{color:var(--muted);margin:-4px 0 10px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.grid2>section{margin:0}
@media (max-width:900px){.grid2{grid-template-columns:1fr}}
.kpis{display:grid;grid-template-columns:repeat(6,1fr);gap:10px;background:none;border:0;padding:0}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px}
.kpi-value{display:block;font-size:22px;font-weight:600}
.kpi-label{color:var(--muted);font-size:12px}
table.data{border-collapse:collapse;width:100%;margin-top:8px}
table.data th,table.data td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
table.data th{font-size:12px;color:var(--muted);font-weight:600}
table.compact{width:auto;margin-bottom:10px}
.num{text-align:right!important;font-variant-numeric:tabular-nums}
.path{color:var(--muted);font-size:12px}
.tag{background:#e4f4ea;color:#17693b;border-radius:3px;padding:0 4px;font-size:11px}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
svg.chart{display:block;max-width:100%;height:auto}
svg text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:var(--fg)}
svg .axis{fill:var(--muted);font-size:11px}
svg .grid{stroke:var(--line)}
svg .legend-item[data-toggle-series]{cursor:pointer}
svg .legend-item.off{opacity:.35}
.rates{list-style:none;padding:0;margin:6px 0 0;color:var(--muted);display:flex;gap:16px;flex-wrap:wrap}
.notes{color:var(--muted);font-size:12px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:0 0 24px}
"""

# Clicking a legend entry of the volume chart hides or shows that space's line.
SCRIPT = """
(function () {
  document.querySelectorAll('[data-toggle-series]').forEach(function (item) {
    function toggle() {
      var key = item.getAttribute('data-toggle-series');
      var off = item.classList.toggle('off');
      item.closest('svg').querySelectorAll('.series').forEach(function (series) {
        if (series.getAttribute('data-series') === key) { series.style.display = off ? 'none' : ''; }
      });
    }
    item.addEventListener('click', toggle);
    item.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { toggle(); } });
  });
  document.body.setAttribute('data-ready', 'true');
})();
"""
