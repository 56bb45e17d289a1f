/*
 * console_static: the console's style sheet and its one script, served as
 * /console.css and /console.js (the Content-Security-Policy allows scripts
 * from the console itself only, none inline). The script keeps the fleet
 * table current from /events (server-sent events); it writes text into
 * cells (textContent), never markup.
 */
#include "office/console.h"

const char console_css[] =
    "body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fafafa}\n"
    "nav{background:#7a1f1f;padding:.5em;display:flex;flex-wrap:wrap;gap:.6em;align-items:center}\n"
    "nav a,nav .who{color:#fff}\n"
    "main{padding:.6em}\n"
    "h1{font-size:1.3em}\n"
    "table{border-collapse:collapse;width:100%;font-size:.9em}\n"
    "th,td{border-bottom:1px solid #ddd;padding:.3em;text-align:left;vertical-align:top}\n"
    "tr.off td:nth-child(2){color:#a00}\n"
    "tr.on td:nth-child(2){color:#070}\n"
    "tr.alarm td:last-child{color:#a00;font-weight:bold}\n"
    "form.inline{display:inline}\n"
    "form.login,form.report,form.air{display:flex;flex-direction:column;max-width:40em;gap:.6em}\n"
    ".message{background:#fff6d5;padding:.4em}\n"
    "input,select,button{font-size:1em;padding:.3em}\n"
    ".error{color:#a00;font-weight:bold}\n"
    "dt{font-weight:bold}dd{margin:0 0 .4em 1em}\n"
    "@media (max-width:40em){thead{display:none}tr{display:block;border-bottom:2px solid #ccc}"
    "td{display:block;border:0}td[data-label]::before{content:attr(data-label) \": \";color:#666}}\n";

const char console_js[] =
    "(function(){\n"
    "  var t = document.getElementById('fleet');\n"
    "  if (!t || !window.EventSource) return;\n"
    "  var es = new EventSource(t.getAttribute('data-events'));\n"
    "  es.addEventListener('fleet', function(ev){\n"
    "    var rows = JSON.parse(ev.data), seen = 0;\n"
    "    rows.forEach(function(b){\n"
    "      var tr = null, all = t.tBodies[0].rows;\n"
    "      for (var i = 0; i < all.length; i++) if (all[i].getAttribute('data-site') === b.site) tr = all[i];\n"
    "      if (!tr) return;\n"
    "      seen++;\n"
    "      ['state','airing','serial','version','disk','alarms','live'].forEach(function(k){\n"
    "        var td = tr.querySelector('td[data-col=\"' + k + '\"]');\n"
    "        if (td && td.textContent !== b[k]) td.textContent = b[k];\n"
    "      });\n"
    "      tr.className = (b.online ? 'on' : 'off') + (b.alarms && tr.querySelector('td[data-col=\\\"alarms\\\"]') ? ' alarm' : '');\n"
    "    });\n"
    "    var live = document.getElementById('live');\n"
    "    if (live) live.textContent = new Date().toLocaleTimeString();\n"
    "    document.body.setAttribute('data-updates', String(Number(document.body.getAttribute('data-updates') || 0) + 1));\n"
    "  });\n"
    "})();\n";
