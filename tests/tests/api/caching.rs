//! Caching: static assets under content-hashed names are kept a year (`immutable`); pages and
//! API answers are never stored. The names come from the pages themselves, as a browser finds them.

use opsroom_tests::{Api, Reply, TestServer};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// Every `src="…"` and `href="…"` of a page that names one of our own static files.
fn asset_links(html: &str) -> Vec<String> {
    ["src=\"", "href=\""]
        .iter()
        .flat_map(|attribute| html.split(attribute).skip(1).map(|rest| rest.split('"').next().unwrap_or("").to_owned()))
        .filter(|link| link.ends_with(".js") || link.ends_with(".css"))
        .collect()
}

async fn assert_page_and_its_assets(api: &Api, page_path: &str) {
    let page = api.get(page_path).await.unwrap();
    assert_eq!(page.status, 200, "{page_path}");
    assert_eq!(header(&page, "cache-control"), "no-store", "the page {page_path} is never stored");
    let html = page.body.as_str().unwrap();
    let links = asset_links(html);
    assert!(links.len() >= 2, "{page_path} loads a script and a style: {links:?}");
    for link in links {
        let file = link.rsplit('/').next().unwrap();
        let mut parts = file.split('.');
        let (_name, hash) = (parts.next(), parts.next().unwrap_or(""));
        assert!(hash.len() == 10 && hash.chars().all(|c| c.is_ascii_hexdigit()), "{link} carries a content hash");
        let asset = api.get(&link).await.unwrap();
        assert_eq!(asset.status, 200, "{link}");
        assert_eq!(header(&asset, "cache-control"), IMMUTABLE, "{link} is kept a year");
        assert!(header(&asset, "content-security-policy").contains("script-src 'self'"), "{link} keeps the CSP");
    }
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_pages_and_answers_are_never_stored() {
    let server = TestServer::start().await;
    let api = server.api();
    assert_page_and_its_assets(&api, "/?lang=en").await;
    assert_page_and_its_assets(&api, "/ops/").await;
    assert_page_and_its_assets(&api, "/partner/").await;

    // An API answer, a missing asset and a logical (unhashed) name: nothing to keep.
    for path in ["/healthz", "/static/nothing.js", "/static/form.js"] {
        let reply = api.get(path).await.unwrap();
        assert_eq!(header(&reply, "cache-control"), "no-store", "{path}");
    }
    assert_eq!(api.get("/static/form.js").await.unwrap().status, 404, "only the hashed name is served");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_service_worker_and_the_offline_shell_are_pages_not_assets() {
    let server = TestServer::start().await;
    let api = server.api();
    let worker = api.get("/sw.js").await.unwrap();
    assert_eq!(worker.status, 200);
    assert!(header(&worker, "content-type").starts_with("text/javascript"));
    // The browser checks its one URL for a new version: never kept.
    assert_eq!(header(&worker, "cache-control"), "no-store");
    assert_eq!(
        api.get("/static/sw.js").await.unwrap().status,
        404,
        "not under /static/, where it would be kept a year"
    );
    // The page CSP lets the page register it, and nothing else.
    let page = api.get("/").await.unwrap();
    assert!(header(&page, "content-security-policy").contains("worker-src 'self'"));

    for (path, lang, dir) in [("/offline?lang=en", "en", "ltr"), ("/offline", "ar", "rtl")] {
        let shell = api.get(path).await.unwrap();
        assert_eq!(shell.status, 200);
        assert_eq!(header(&shell, "cache-control"), "no-store");
        let html = shell.body.as_str().unwrap();
        assert!(html.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")), "{html}");
        assert!(html.contains(&format!("href=\"/?lang={lang}\"")), "it leads to the form: {html}");
    }
    server.stop().await.unwrap();
}
