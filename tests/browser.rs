//! report.html in a real browser: headless Chromium loads the page from a
//! local server that logs every request, and the page must ask for nothing
//! but itself (no chart file, font, script or stylesheet, local or remote:
//! every request goes through the server, set as the browser's proxy) and
//! look like something (a screenshot that is not blank).
//!
//! Chromium comes from Debian's packages (`tests/browser/check.sh`
//! installs it when it can and runs this test with
//! `SEZSIM_BROWSER_REQUIRED=1`, as `.ci/run` does). Without a browser the
//! test says so and passes, unless `SEZSIM_BROWSER_REQUIRED` is set.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::{Arc, Mutex};

use assert_cmd::Command;

/// Hosts Chromium itself calls at start-up (component updates, the clock,
/// sign-in, a preconnect to its default search engine that no flag turns
/// off in Chromium 156), whatever the page: not requests of the page. The
/// page cannot name them either: the HTML tests check it holds no
/// `http://` or `https://` reference at all.
const BROWSER_OWN_HOSTS: &[&str] = &[
    "CONNECT www.google.com:443 ",
    "clients2.google.com",
    "update.googleapis.com",
    "accounts.google.com",
    "redirector.gvt1.com",
    "optimizationguide-pa.googleapis.com",
];

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// Serve `page` as `/report.html` on a free local port, in a thread; every
/// request line is logged in the returned list.
fn serve(page: Vec<u8>) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            // The rest of the head, unread bodies aside.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let request = request.trim().to_string();
            // A connection opened ahead of need and closed unused.
            if request.is_empty() {
                continue;
            }
            let target = request.split(' ').nth(1).unwrap_or("").to_string();
            seen.lock().unwrap().push(request);
            let ours = target == "/report.html"
                || target == format!("http://127.0.0.1:{port}/report.html");
            let reply = if ours {
                let mut r = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    page.len()
                )
                .into_bytes();
                r.extend_from_slice(&page);
                r
            } else {
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
            };
            let _ = stream.write_all(&reply);
        }
    });
    (port, log)
}

fn browser_own(request: &str) -> bool {
    BROWSER_OWN_HOSTS.iter().any(|h| request.contains(h))
}

/// Load `page` in `browser` from the logging server; returns the page's
/// requests and the path of the screenshot (in `dir`, named after `name`).
fn load(browser: &Path, page: Vec<u8>, dir: &Path, name: &str) -> (Vec<String>, PathBuf) {
    let (port, log) = serve(page);
    let shot = dir.join(format!("{name}.png"));
    let profile = dir.join(format!("{name}-profile"));
    let o = Process::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            "--disable-domain-reliability",
            "--disable-client-side-phishing-detection",
            "--disable-breakpad",
            "--no-default-browser-check",
            "--no-pings",
            "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater,SafeBrowsing,PreconnectToSearch,LoadingPredictorUseLocalPredictions,NetworkPrediction",
            "--dns-prefetch-disable",
            "--window-size=1200,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        // Every request, to any host, goes through the logging server.
        .arg(format!("--proxy-server=http://127.0.0.1:{port}"))
        .arg("--proxy-bypass-list=<-loopback>")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("http://127.0.0.1:{port}/report.html"))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let requests = log
        .lock()
        .unwrap()
        .iter()
        .filter(|r| !browser_own(r))
        .cloned()
        .collect();
    (requests, shot)
}

#[test]
fn report_html_loads_in_chromium_with_no_other_request_and_is_not_blank() {
    let required = std::env::var_os("SEZSIM_BROWSER_REQUIRED").is_some();
    let Some(browser) = chromium() else {
        assert!(
            !required,
            "SEZSIM_BROWSER_REQUIRED is set but no chromium is on PATH"
        );
        eprintln!(
            "SKIPPED: no chromium on PATH; tests/browser/check.sh installs Debian's `chromium` and runs this test"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    Command::cargo_bin("sezsim")
        .unwrap()
        .args([
            "run",
            "tests/fixtures/full/base.toml",
            "-q",
            "-n",
            "200",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let page = std::fs::read(out.join("report.html")).unwrap();
    let (requests, shot) = load(&browser, page, dir.path(), "report");
    assert!(!requests.is_empty(), "the page was not requested");
    for r in &requests {
        assert!(
            r.contains("/report.html "),
            "the page asked for more: {requests:?}"
        );
    }
    let png = std::fs::read(&shot).unwrap();
    let (w, h, var) = support::png_stats_any(&png);
    assert!(w >= 1000 && h >= 1000, "{w} x {h}");
    assert!(var > 100.0, "the screenshot looks blank: variance {var}");

    // The check sees a page that asks for a file beside it.
    let linked =
        b"<!DOCTYPE html><html><body><h1>Linked</h1><img src=\"charts/fan.png\"></body></html>";
    let (requests, _) = load(&browser, linked.to_vec(), dir.path(), "linked");
    assert!(
        requests.iter().any(|r| r.contains("/charts/fan.png")),
        "{requests:?}"
    );
}
