/** The maintenance page's content: an nginx server answering 200 on `/` and 503 (same page) everywhere else, never cached. */

/** Port nginx listens on inside the pod (not 80, so the image's default server is replaced, not doubled). */
export const MAINTENANCE_CONTAINER_PORT = 8080;
/** Port of the maintenance Service, what the ingresses point at. */
export const MAINTENANCE_SERVICE_PORT = 80;

/** The files of the maintenance ConfigMap, by key (the Deployment mounts each key with `subPath`). */
export interface MaintenancePageFiles {
  /** Mounted at `/etc/nginx/conf.d/default.conf`: a `server` block the image's `nginx.conf` includes inside `http`. */
  readonly "default.conf": string;
  /** Mounted at `/usr/share/nginx/html/index.html`, the server's `root`. */
  readonly "index.html": string;
}

/**
 * The maintenance ConfigMap's data. Pure: the component declares exactly this, and
 * `test/infra/maintenance-nginx.test.ts` runs a real nginx with it.
 */
export function maintenancePageFiles(): MaintenancePageFiles {
  return {
    "default.conf": `server {
    listen ${MAINTENANCE_CONTAINER_PORT} default_server;
    server_name _;
    root /usr/share/nginx/html;
    # Never cached: once the service is back, nobody should keep seeing this page.
    add_header Cache-Control "no-store" always;
    # Every path but / (including /index.html itself) answers 503 with the maintenance page, so
    # clients, health checks and crawlers see an outage, not content.
    error_page 503 /maintenance-page;
    location = / {
        try_files /index.html =404;
    }
    location = /maintenance-page {
        internal;
        add_header Cache-Control "no-store" always;
        add_header Retry-After "3600" always;
        try_files /index.html =404;
    }
    location / {
        return 503;
    }
}
`,
    "index.html": `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="robots" content="noindex">
  <title>Sorry, the service is unavailable</title>
</head>
<body>
  <h1>Sorry, the service is unavailable</h1>
  <p>Access your teaching qualifications and Check a teacher's record are unavailable while we fix a problem.</p>
  <p>You will be able to use them later.</p>
  <p>We have not saved any information you entered.</p>
</body>
</html>
`,
  };
}

/** `maintenancePageFiles()["default.conf"]`, what the component's ConfigMap declares. */
export const MAINTENANCE_NGINX_CONF = maintenancePageFiles()["default.conf"];
/** `maintenancePageFiles()["index.html"]`, what the component's ConfigMap declares. */
export const MAINTENANCE_INDEX_HTML = maintenancePageFiles()["index.html"];
