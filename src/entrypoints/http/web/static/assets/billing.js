// The billing page. It talks only to the public HTTP API (same origin, cookie session):
// /api/session, /api/demo/*, /api/billing/summary, /api/billing/invoices,
// /api/billing/portal-sessions. No framework, no build step.

const RETURN_PATH = "/billing";
const REDIRECT_DELAY_MS = 900; // long enough to read the sentence, short enough not to wait
// Back from the portal: poll every second; with no change after SYNC_SETTLE_MS say so
// neutrally (most visits change nothing), then keep checking quietly until SYNC_QUIET_MS.
// Once a change shows, follow its later writes until the mirror is quiet for SYNC_SETTLED_MS.
const SYNC_POLL_MS = 1000;
const SYNC_SETTLE_MS = 7000;
const SYNC_QUIET_POLL_MS = 2000;
const SYNC_QUIET_MS = 30000;
const SYNC_SETTLED_MS = 3000;
const INVOICE_PAGE_SIZE = 10;
const DEPARTURE_KEY = "billing-portal:departure";
const RETURN_QUERY_KEYS = ["action", "multiple_subscriptions"];
const ENDED = new Set(["canceled", "incomplete_expired"]);
const LIVE = new Set(["trialing", "active", "past_due", "unpaid", "paused"]);

const STATUS_LABELS = {
  active: "Active",
  trialing: "Trial",
  past_due: "Payment overdue",
  unpaid: "Unpaid",
  paused: "Paused",
  incomplete: "Awaiting payment",
  incomplete_expired: "Expired",
  canceled: "Canceled",
};
const INVOICE_STATUS_LABELS = {
  paid: "Paid", open: "Due", draft: "Draft", void: "Void", uncollectible: "Uncollectible",
};
const INTERVALS = { day: "daily", week: "weekly", month: "monthly", year: "yearly" };
const FLOW_PHRASES = {
  payment_method_update: "update your payment method",
  subscription_update: "change your plan",
  subscription_cancel: "cancel your subscription",
};
const REDIRECTS = {
  never_subscribed: {
    label: "Choose a plan",
    text: "You don't have a subscription yet. Choose a plan to get started.",
  },
  incomplete_payment: {
    label: "Complete payment",
    text: "Your subscription is waiting for its first payment. Complete the payment to start it.",
  },
  subscriptions_ended: {
    label: "Reactivate",
    text: "Your subscription has ended. Reactivate it to get your access back.",
  },
};
// Stripe's minor units: https://docs.stripe.com/currencies#zero-decimal
const ZERO_DECIMAL = new Set("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split(" "));
const THREE_DECIMAL = new Set("bhd jod kwd omr tnd".split(" "));

const OVERDUE = new Set(["past_due", "unpaid"]);
// The hosted portal offers to renew a subscription set to end at period end, except when it
// opens deep-linked on the payment method (overdue) or manages payment methods only.
const NO_RENEWAL_REASONS = new Set(["payment_overdue", "multiple_subscriptions"]);
const UNPAID_INVOICE = new Set(["open", "uncollectible"]);

const state = {
  session: null, summary: null, invoiceCursor: null, busy: false, lastTrigger: null,
  returnWatch: 0, // bumped to stop a running watch for changes after a portal return
};

// ---- small DOM helpers ------------------------------------------------------------------

const byTestId = (id, root = document) => root.querySelector(`[data-testid="${id}"]`);
const show = (element, visible = true) => { element.hidden = !visible; };
const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function cloneTemplate(id) {
  return document.getElementById(id).content.firstElementChild.cloneNode(true);
}

function setText(id, text, root = document) {
  const element = byTestId(id, root);
  element.textContent = text ?? "";
  show(element, Boolean(text));
  return element;
}

function announce(text) {
  setText("status-message", text);
}

function formatDate(iso) {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date.toLocaleDateString(undefined, { dateStyle: "long" });
}

function formatDateTime(iso) {
  const date = new Date(iso);
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

function formatMoney(minor, currency) {
  const code = (currency || "usd").toLowerCase();
  const digits = ZERO_DECIMAL.has(code) ? 0 : THREE_DECIMAL.has(code) ? 3 : 2;
  const amount = Number(minor ?? 0) / 10 ** digits;
  try {
    return new Intl.NumberFormat(undefined, {
      style: "currency", currency: code.toUpperCase(),
      minimumFractionDigits: digits, maximumFractionDigits: digits,
    }).format(amount);
  } catch {
    return `${amount.toFixed(digits)} ${code.toUpperCase()}`;
  }
}

function joinChoices(phrases) {
  if (typeof Intl.ListFormat === "function") {
    return new Intl.ListFormat("en", { style: "long", type: "disjunction" }).format(phrases);
  }
  return phrases.join(", ");
}

// Only web addresses leave the page: never javascript: or data: URLs from a response.
function safeUrl(value) {
  if (!value) return null;
  try {
    const url = new URL(value, window.location.origin);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

// ---- the API ----------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.retryAfter = retryAfter;
  }
}

async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && state.session) headers["X-CSRF-Token"] = state.session.csrf_token;
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { detail: "The billing service could not be reached." });
  }
  const text = response.status === 204 ? "" : await response.text();
  let payload = null;
  try { payload = text ? JSON.parse(text) : null; } catch { payload = null; }
  if (!response.ok) {
    throw new ApiError(response.status, payload, response.headers.get("Retry-After"));
  }
  return payload;
}

// ---- messages ---------------------------------------------------------------------------

function problemHeadline(error) {
  const type = String(error.problem.type || "");
  if (error.status === 0) return "We couldn't reach the billing service. Check your connection and try again.";
  if (error.status === 429) {
    const seconds = error.problem.retry_after_seconds || Number(error.retryAfter) || 60;
    return `Too many attempts. Please wait ${seconds} seconds and try again.`;
  }
  if (error.status === 401) return "We couldn't sign you in. Open billing again from your account in the app.";
  if (error.status === 403) return "Your session could not be verified. Reload the page and try again.";
  if (type.endsWith("no-billing-account")) return "No billing account is linked to your user yet.";
  if (error.status === 404) return "We couldn't find your billing account.";
  if (error.status >= 500) {
    return "Billing is temporarily unavailable. Your details below are unchanged; please try again in a few minutes.";
  }
  return error.problem.title || "Something went wrong. Please try again.";
}

function showError(error, trigger = null) {
  const panel = byTestId("error-message");
  setText("error-title", problemHeadline(error));
  setText("error-detail", error.problem.detail || "");
  const reference = error.problem.request_id;
  setText("error-reference", reference ? `Reference: ${reference}` : "");
  show(byTestId("error-support"), Boolean(state.session?.support_email));
  state.lastTrigger = trigger;
  show(panel);
  panel.focus();
}

function dismissError() {
  show(byTestId("error-message"), false);
  let target = state.lastTrigger;
  if (!target || target.hidden || target.disabled) {
    target = byTestId("dashboard").hidden
      ? document.getElementById("sign-in-title")
      : document.getElementById("dashboard-title");
  }
  state.lastTrigger = null;
  target.focus();
}

function showSupport(email) {
  for (const id of ["support-contact-link", "error-support-link"]) {
    const link = byTestId(id);
    link.textContent = email || "";
    link.href = email ? `mailto:${email}` : "#";
  }
  show(byTestId("support-contact"), Boolean(email));
}

// ---- sign-in ----------------------------------------------------------------------------

async function showSignIn(message) {
  state.returnWatch += 1;
  state.session = null;
  state.summary = null;
  show(byTestId("sync-banner"), false);
  show(byTestId("dashboard"), false);
  show(byTestId("account"), false);
  show(byTestId("loading"), false);
  show(byTestId("sign-in"));
  if (message) announce(message);
  let users;
  try {
    users = await api("/api/demo/users");
  } catch (error) {
    if (error.status !== 404) showError(error);
    show(byTestId("mode-badge"), false);
    show(byTestId("sign-in-production"));
    return;
  }
  show(byTestId("mode-badge"));
  renderDemoUsers(users || []);
}

function renderDemoUsers(users) {
  const list = byTestId("sign-in-list");
  list.replaceChildren(...users.map((user) => {
    const item = cloneTemplate("demo-user-template");
    const button = item.querySelector("button");
    button.dataset.userId = user.user_id;
    item.querySelector(".user-email").textContent = user.email || user.user_id;
    item.querySelector(".user-segment").textContent = user.segment;
    item.querySelector(".user-description").textContent = user.description;
    button.addEventListener("click", () => signInAsDemoUser(button, user.user_id));
    return item;
  }));
  show(byTestId("sign-in-empty"), users.length === 0);
  show(byTestId("sign-in-sandbox"));
}

async function signInAsDemoUser(button, userId) {
  if (state.busy) return;
  state.busy = true;
  button.setAttribute("aria-busy", "true");
  try {
    const session = await api("/api/demo/sign-in", { method: "POST", body: { user_id: userId } });
    show(byTestId("error-message"), false);
    await enterDashboard(session);
  } catch (error) {
    showError(error, button);
  } finally {
    state.busy = false;
    button.removeAttribute("aria-busy");
  }
}

async function signOut() {
  try {
    await api("/api/session", { method: "DELETE" });
  } catch (error) {
    if (error.status !== 401) { showError(error); return; }
  }
  sessionStorage.removeItem(DEPARTURE_KEY);
  await showSignIn("You have signed out.");
  document.getElementById("sign-in-title").focus();
}

// A host app may hand over its JWT in the fragment (never sent to servers or in Referer).
// It leaves the address bar at once.
function takeTokenFromFragment() {
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token");
  if (!token) return null;
  history.replaceState(history.state, "", window.location.pathname + window.location.search);
  return token;
}

// Whose account a token names, read only to ask the user; the server verifies the token.
function tokenAccount(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part.padEnd(Math.ceil(part.length / 4) * 4, "=")), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof claims.sub !== "string" || !claims.sub) return null;
    return { user_id: claims.sub, email: typeof claims.email === "string" ? claims.email : null };
  } catch {
    return null;
  }
}

function accountLabel(account) {
  return account.email ? `${account.email} (${account.user_id})` : account.user_id;
}

async function currentSession() {
  try {
    return await api("/api/session");
  } catch (error) {
    if (error.status === 401) return null;
    throw error;
  }
}

// Shows the question; resolves true on confirm, false on cancel.
function ask(title, text, confirmLabel, cancelLabel) {
  state.returnWatch += 1;
  for (const id of ["loading", "dashboard", "sign-in", "sync-banner"]) show(byTestId(id), false);
  setText("handover-title", title);
  setText("handover-text", text);
  const confirm = byTestId("handover-confirm");
  const cancel = byTestId("handover-cancel");
  confirm.textContent = confirmLabel;
  cancel.textContent = cancelLabel;
  show(byTestId("handover"));
  document.getElementById("handover-title").focus();
  return new Promise((resolve) => {
    const answer = (value) => () => {
      show(byTestId("handover"), false);
      resolve(value);
    };
    confirm.onclick = answer(true);
    cancel.onclick = answer(false);
  });
}

// Login CSRF: a link can carry someone else's token. It never signs anyone in without a
// click that names the account, and never replaces another account's session silently.
// Resolves to the session to show (the current one when the user declines), or null.
async function offerHandover(token, current) {
  const account = tokenAccount(token);
  if (!account) throw new ApiError(401, { detail: "The sign-in link is not valid." });
  if (current && current.user_id === account.user_id) {
    return api("/api/session", { method: "POST", body: { token } });
  }
  const wanted = accountLabel(account);
  const chosen = current
    ? await ask(
      "You're signed in to another account",
      `You're signed in to billing as ${accountLabel(current)}. This link is for ${wanted}. Switch only if that is your account.`,
      `Switch to ${wanted}`,
      `Stay signed in as ${accountLabel(current)}`,
    )
    : await ask(
      "Open billing for this account?",
      `This link signs you in to billing as ${wanted}. Continue only if this is your account.`,
      `Continue as ${wanted}`,
      "Cancel",
    );
  if (!chosen) return current;
  return api("/api/session", { method: "POST", body: { token, replace: Boolean(current) } });
}

// ---- the dashboard ----------------------------------------------------------------------

// A link straight into one portal flow (the payment-failed email's "update your card":
// /billing?flow=payment_method_update). Taken once, whatever the page does next.
const LINKABLE_FLOWS = new Set(["payment_method_update"]);

function takeRequestedFlow() {
  const url = new URL(window.location.href);
  const flow = url.searchParams.get("flow");
  if (flow === null) return null;
  url.searchParams.delete("flow");
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  return LINKABLE_FLOWS.has(flow) ? flow : null;
}

// Opens the portal in that flow when the portal rules allow it for this user now (what the
// summary's portal outlook says); otherwise stays on the page and says why.
async function followRequestedFlow(flow, summary) {
  const portal = summary.portal || {};
  if (allowedFlows(portal).includes(flow)) {
    const button = byTestId("portal-shortcuts").querySelector(`button[data-flow="${flow}"]`);
    await openPortal(button, flow);
    return;
  }
  const notice = byTestId("flow-notice");
  const why = portal.explanation ? ` ${portal.explanation}` : "";
  notice.textContent = `You can't ${FLOW_PHRASES[flow]} from the billing portal right now.${why}`;
  show(notice);
}

async function enterDashboard(session) {
  state.session = session;
  const requestedFlow = takeRequestedFlow();
  announce("");
  show(byTestId("sync-banner"), false);
  showSupport(session.support_email);
  show(byTestId("mode-badge"), session.mode === "sandbox");
  byTestId("signed-in-user").textContent = accountLabel(session);
  show(byTestId("account"));
  show(byTestId("sign-in"), false);
  show(byTestId("loading"));
  const returning = new URLSearchParams(window.location.search).get("action") === "portal_return";
  const loaded = await refreshSummary();
  show(byTestId("loading"), false);
  if (!loaded) return;
  show(byTestId("dashboard"));
  loadInvoices(true);
  if (requestedFlow) await followRequestedFlow(requestedFlow, loaded);
  else if (returning) await followReturn();
  else document.getElementById("dashboard-title").focus({ preventScroll: true });
}

async function refreshSummary({ quiet = false } = {}) {
  try {
    const summary = await api("/api/billing/summary");
    renderSummary(summary);
    return summary;
  } catch (error) {
    if (error.status === 401) {
      await showSignIn("Your session has expired. Sign in again to continue.");
      return null;
    }
    if (!quiet) {
      show(byTestId("dashboard"));
      if (!state.summary) renderUnavailable(error);
      showError(error);
    }
    return null;
  }
}

function renderUnavailable(error) {
  byTestId("subscriptions").replaceChildren();
  show(byTestId("no-subscription"), error.status === 404);
  setText("payment-method", "—");
  setText("portal-explanation", problemHeadline(error));
  show(byTestId("manage-billing"), false);
  show(byTestId("portal-shortcuts"), false);
}

function visibleSubscriptions(subscriptions) {
  const current = subscriptions.filter((sub) => !ENDED.has(sub.status));
  return current.length ? current : subscriptions.slice(0, 1);
}

function primarySubscription() {
  const subscriptions = state.summary?.subscriptions || [];
  return subscriptions.find((sub) => LIVE.has(sub.status)) || null;
}

// The end date of the live subscription when the customer scheduled it at period end.
function scheduledEnd() {
  const primary = primarySubscription();
  return primary && primary.cancel_at_period_end && !primary.ended_at ? cancelDate(primary) : null;
}

function cancelDate(sub) {
  if (sub.ended_at) return null;
  return sub.cancel_at || (sub.cancel_at_period_end ? sub.current_period_end : null);
}

function dateLine(sub) {
  const on = (iso) => formatDate(iso) || "an unknown date";
  if (sub.ended_at) return `Ended on ${on(sub.ended_at)}`;
  const cancelsOn = cancelDate(sub);
  if (cancelsOn) return `Access until ${on(cancelsOn)}`;
  if (sub.status === "canceled") return sub.canceled_at ? `Canceled on ${on(sub.canceled_at)}` : "Canceled";
  if (sub.status === "incomplete") return "Starts when the first payment is made";
  if (sub.status === "incomplete_expired") return "Never started: the first payment was not made";
  if (OVERDUE.has(sub.status)) return "Your last payment failed. Update your payment method to keep your subscription.";
  if (!sub.current_period_end) return "";
  if (sub.status === "trialing") return `Trial ends on ${on(sub.current_period_end)}`;
  if (sub.status === "paused") return "Paused: add a payment method to resume";
  return `Renews on ${on(sub.current_period_end)}`;
}

// The overdue subscription's unpaid invoice, when the mirror knows it: amount and due date
// (a renewal invoice is due when its period starts).
function overdueInvoiceLine(sub) {
  const invoice = sub.latest_invoice;
  if (!OVERDUE.has(sub.status) || !invoice || !UNPAID_INVOICE.has(invoice.status)) return "";
  const amount = formatMoney(invoice.amount_due, invoice.currency);
  const due = formatDate(sub.current_period_start);
  return due ? `${amount} was due on ${due}.` : `${amount} is due.`;
}

function intervalLine(sub) {
  if (!sub.interval) return "";
  const count = sub.interval_count || 1;
  const every = count > 1 ? `Billed every ${count} ${sub.interval}s` : `Billed ${INTERVALS[sub.interval] || `every ${sub.interval}`}`;
  return sub.quantity > 1 ? `${every} · quantity ${sub.quantity}` : every;
}

function renderSubscription(sub) {
  const card = cloneTemplate("subscription-template");
  card.dataset.subscriptionId = sub.id;
  card.dataset.status = sub.status;
  setText("plan-name", sub.plan_name || sub.price_id || "Subscription", card);
  const badge = setText("subscription-status", STATUS_LABELS[sub.status] || sub.status, card);
  badge.dataset.status = sub.status;
  setText("billing-interval", intervalLine(sub), card);
  setText("renewal-date", dateLine(sub), card);
  const overdue = overdueInvoiceLine(sub);
  setText("overdue-invoice", overdue, card);
  show(byTestId("overdue-invoice-notice", card), Boolean(overdue));
  const invoiceUrl = safeUrl(sub.latest_invoice?.hosted_invoice_url);
  const invoiceLink = byTestId("overdue-invoice-link", card);
  if (overdue && invoiceUrl) {
    invoiceLink.href = invoiceUrl;
    show(invoiceLink);
  } else {
    invoiceLink.remove();
  }
  const cancelsOn = cancelDate(sub);
  setText(
    "cancellation-notice",
    cancelsOn ? `Cancels on ${formatDate(cancelsOn)}. You keep access until then, and you can undo this in Manage billing.` : "",
    card,
  );
  return card;
}

function paymentMethodLine(method) {
  if (!method) return "No payment method on file.";
  const brand = method.brand ? method.brand.charAt(0).toUpperCase() + method.brand.slice(1) : "Card";
  const expiry = method.exp_month && method.exp_year
    ? ` · expires ${String(method.exp_month).padStart(2, "0")}/${method.exp_year}` : "";
  return `${brand} ending in ${method.last4}${expiry}`;
}

function renderSummary(summary) {
  state.summary = summary;
  const subscriptions = summary.subscriptions || [];
  byTestId("subscriptions").replaceChildren(...visibleSubscriptions(subscriptions).map(renderSubscription));
  show(byTestId("no-subscription"), subscriptions.length === 0);
  setText("payment-method", paymentMethodLine(summary.default_payment_method));
  setText("mirror-updated", summary.mirror_updated_at ? `Last updated ${formatDateTime(summary.mirror_updated_at)}` : "");
  renderPortal(summary.portal || { action: "none" });
}

// ---- the portal -------------------------------------------------------------------------

function allowedFlows(portal) {
  return (portal.allowed_flows || []).filter((flow) => flow in FLOW_PHRASES);
}

// One sentence on what the portal lets this user do (shown before leaving the page).
function portalSentence(portal) {
  const phrases = allowedFlows(portal).map((flow) => FLOW_PHRASES[flow]);
  const ending = scheduledEnd();
  if (ending && !NO_RENEWAL_REASONS.has(portal.reason)) phrases.unshift("keep your subscription (undo the cancellation)");
  const can = phrases.length
    ? `In the billing portal you can ${joinChoices(phrases)}.`
    : "In the billing portal you can review your billing details and invoices.";
  switch (portal.reason) {
    case "payment_overdue":
      return `Your last payment didn't go through: the portal opens on your payment method so you can fix it. ${can}`;
    case "multiple_subscriptions":
      return `You have several subscriptions, so the portal manages payment methods only; contact support to change a plan. ${can}`;
    case "tenure_restricted":
      return `Your yearly plan is in its first months, so plan changes open later. ${can}`;
    case "unrecognised_status":
      return `Your subscription needs attention from support before plans can change. ${can}`;
    default:
      return ending ? `Your subscription is set to end on ${formatDate(ending) || "a date you chose"}. ${can}` : can;
  }
}

function renderPortal(portal) {
  const manage = byTestId("manage-billing");
  const label = manage.querySelector(".button-label");
  const shortcuts = byTestId("portal-shortcuts");
  show(byTestId("redirect-link"), false);
  if (portal.action === "portal") {
    label.textContent = "Manage billing";
    setText("portal-explanation", portalSentence(portal));
    show(manage);
    renderShortcuts(portal);
  } else if (portal.action === "redirect") {
    const redirect = REDIRECTS[portal.reason] || { label: "Continue", text: "Your billing needs an action before the portal can open." };
    label.textContent = redirect.label;
    setText("portal-explanation", redirect.text);
    show(manage);
    show(shortcuts, false);
  } else {
    const help = state.session?.support_email ? ` Contact ${state.session.support_email} for help.` : "";
    setText("portal-explanation", `The billing portal isn't available for your account.${help}`);
    show(manage, false);
    show(shortcuts, false);
  }
}

function renderShortcuts(portal) {
  const flows = new Set(allowedFlows(portal));
  const primary = primarySubscription();
  let any = false;
  for (const button of byTestId("portal-shortcuts").querySelectorAll("button[data-flow]")) {
    const flow = button.dataset.flow;
    let visible = flows.has(flow);
    if (flow !== "payment_method_update") visible = visible && primary !== null;
    if (flow === "subscription_cancel" && primary && cancelDate(primary)) visible = false;
    show(button, visible);
    any = any || visible;
  }
  show(byTestId("portal-shortcuts"), any);
}

function portalButtons() {
  return [byTestId("manage-billing"), ...byTestId("portal-shortcuts").querySelectorAll("button")];
}

function setBusy(trigger, busy) {
  state.busy = busy;
  for (const button of portalButtons()) button.disabled = busy;
  trigger.classList.toggle("is-busy", busy);
  if (busy) trigger.setAttribute("aria-busy", "true");
  else trigger.removeAttribute("aria-busy");
}

function rememberDeparture() {
  const departure = { mirror_updated_at: state.summary?.mirror_updated_at ?? null, left_at: new Date().toISOString() };
  sessionStorage.setItem(DEPARTURE_KEY, JSON.stringify(departure));
}

async function openPortal(trigger, flowType) {
  if (state.busy) return;
  state.returnWatch += 1; // the page is about to leave: stop checking for changes
  setBusy(trigger, true);
  show(byTestId("error-message"), false);
  const body = { return_path: RETURN_PATH };
  if (flowType) {
    const primary = primarySubscription();
    body.flow = { type: flowType };
    if (flowType !== "payment_method_update" && primary) body.flow.subscription_id = primary.id;
  }
  try {
    const result = await api("/api/billing/portal-sessions", { method: "POST", body });
    const url = safeUrl(result?.url);
    if (url) {
      rememberDeparture();
      announce(`Opening the billing portal… ${portalSentence(state.summary?.portal || {})}`);
      await pause(REDIRECT_DELAY_MS);
      window.location.assign(url);
      return; // stay busy until the browser leaves
    }
    if (result?.action === "redirect" && safeUrl(result.redirect_to)) {
      await followRedirect(result);
      return;
    }
    throw new ApiError(500, { title: "Unexpected answer", detail: "The billing service gave no address to continue to." });
  } catch (error) {
    setBusy(trigger, false);
    if (error.status === 401) await showSignIn("Your session has expired. Sign in again to continue.");
    else showError(error, trigger);
  }
}

async function followRedirect(result) {
  const redirect = REDIRECTS[result.reason] || { label: "Continue", text: "Your billing needs an action first." };
  const url = safeUrl(result.redirect_to);
  const link = byTestId("redirect-link");
  link.href = url;
  link.textContent = redirect.label;
  show(link);
  announce(`${redirect.text} Taking you there…`);
  await pause(REDIRECT_DELAY_MS * 2);
  window.location.assign(url);
}

// ---- returning from the portal ----------------------------------------------------------

function readDeparture() {
  try {
    return JSON.parse(sessionStorage.getItem(DEPARTURE_KEY) || "null");
  } catch {
    return null;
  }
}

// ``mirror_updated_at`` is when the service last wrote this customer's mirror, to the
// microsecond (finer than Date.parse): any other value that is not older is a change.
function hasChanged(now, before) {
  if (!now) return false;
  if (!before) return true;
  return now !== before && Date.parse(now) >= Date.parse(before);
}

function setBanner(text, bannerState) {
  const banner = byTestId("sync-banner");
  banner.dataset.state = bannerState;
  setText("sync-banner-text", text);
  show(banner);
}

function forgetReturnQuery() {
  const url = new URL(window.location.href);
  for (const key of RETURN_QUERY_KEYS) url.searchParams.delete(key);
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
}

// Polls the summary every ``everyMs`` until ``untilMs`` (a Date.now() deadline), re-rendering
// the page each time; the new ``mirror_updated_at`` as soon as it differs from ``before``,
// else null (at the deadline, or when the watch was stopped).
async function pollForChange(watch, before, everyMs, untilMs) {
  while (Date.now() < untilMs) {
    await pause(everyMs);
    if (watch !== state.returnWatch || !state.session) return null;
    const summary = await refreshSummary({ quiet: true });
    if (watch !== state.returnWatch || !state.session) return null;
    if (summary && hasChanged(summary.mirror_updated_at, before)) return summary.mirror_updated_at;
  }
  return null;
}

// One change in the portal often reaches the mirror as several events (a new card, the
// overdue invoice it paid, the subscription made active again): once a change shows, keep
// following until the mirror has been quiet for SYNC_SETTLED_MS.
async function confirmApplied(watch, seen, untilMs) {
  setBanner("Your changes have been applied.", "done");
  loadInvoices(true);
  let latest = seen;
  while (latest) {
    const settled = Math.min(untilMs, Date.now() + SYNC_SETTLED_MS);
    latest = await pollForChange(watch, latest, SYNC_POLL_MS, settled);
    if (latest) loadInvoices(true);
  }
}

// Most visits to the portal change nothing: never claim that changes are being applied.
async function followReturn() {
  const departure = readDeparture();
  sessionStorage.removeItem(DEPARTURE_KEY);
  if (!departure) {
    setBanner("Welcome back. Your billing details below are up to date.", "done");
    forgetReturnQuery();
    return;
  }
  const before = departure.mirror_updated_at;
  const watch = ++state.returnWatch;
  const returnedAt = Date.now();
  const quietUntil = returnedAt + SYNC_QUIET_MS;
  const now = state.summary?.mirror_updated_at;
  if (hasChanged(now, before)) {
    forgetReturnQuery();
    confirmApplied(watch, now, quietUntil);
    return;
  }
  setBanner("Checking for changes…", "pending");
  const changed = await pollForChange(watch, before, SYNC_POLL_MS, returnedAt + SYNC_SETTLE_MS);
  if (watch !== state.returnWatch) return; // signed out or left for the portal again
  forgetReturnQuery();
  if (changed) {
    confirmApplied(watch, changed, quietUntil);
    return;
  }
  setBanner(
    "Your billing details are up to date. Changes made in the portal can take a few seconds to appear.",
    "current",
  );
  // Quietly, without holding up the page: a change that lands late still shows.
  pollForChange(watch, before, SYNC_QUIET_POLL_MS, quietUntil).then((late) => {
    if (late) confirmApplied(watch, late, quietUntil);
  });
}

// ---- invoices ---------------------------------------------------------------------------

function renderInvoice(invoice) {
  const row = cloneTemplate("invoice-template");
  row.dataset.invoiceId = invoice.id;
  const name = invoice.number || "Draft invoice";
  setText("invoice-date", formatDate(invoice.created) || "—", row);
  setText("invoice-number", name, row);
  const amount = invoice.status === "paid" ? invoice.amount_paid : invoice.total ?? invoice.amount_due;
  setText("invoice-amount", formatMoney(amount, invoice.currency), row);
  const badge = setText("invoice-status", INVOICE_STATUS_LABELS[invoice.status] || invoice.status, row);
  badge.dataset.status = invoice.status;
  const links = [
    ["invoice-view-link", invoice.hosted_invoice_url, `View invoice ${name} (opens in a new tab)`],
    ["invoice-pdf-link", invoice.invoice_pdf, `Download invoice ${name} as PDF (opens in a new tab)`],
  ];
  for (const [id, href, label] of links) {
    const link = byTestId(id, row);
    const url = safeUrl(href);
    if (url) {
      link.href = url;
      link.setAttribute("aria-label", label);
    } else {
      link.remove();
    }
  }
  return row;
}

async function loadInvoices(reset) {
  const button = byTestId("invoices-load-more");
  const list = byTestId("invoice-list");
  if (reset) state.invoiceCursor = null;
  const query = new URLSearchParams({ limit: String(INVOICE_PAGE_SIZE) });
  if (state.invoiceCursor) query.set("cursor", state.invoiceCursor);
  button.disabled = true;
  button.classList.add("is-busy");
  try {
    const page = await api(`/api/billing/invoices?${query}`);
    const rows = (page?.data || []).map(renderInvoice);
    if (reset) list.replaceChildren(...rows);
    else list.append(...rows);
    state.invoiceCursor = page?.next_cursor || null;
    show(byTestId("invoices-empty"), list.children.length === 0);
    show(byTestId("invoice-table"), list.children.length > 0);
    if (!reset && rows.length) {
      announce(`Loaded ${rows.length} more invoice${rows.length === 1 ? "" : "s"}.`);
      rows[0].querySelector("a")?.focus();
    }
  } catch (error) {
    if (error.status === 401) await showSignIn("Your session has expired. Sign in again to continue.");
    else showError(error, button);
  } finally {
    button.disabled = false;
    button.classList.remove("is-busy");
    show(button, Boolean(state.invoiceCursor));
  }
}

// ---- start ------------------------------------------------------------------------------

function wireControls() {
  byTestId("error-dismiss").addEventListener("click", dismissError);
  byTestId("error-message").addEventListener("keydown", (event) => {
    if (event.key === "Escape") dismissError();
  });
  byTestId("sign-out").addEventListener("click", signOut);
  byTestId("invoices-load-more").addEventListener("click", () => loadInvoices(false));
  const manage = byTestId("manage-billing");
  manage.addEventListener("click", () => openPortal(manage, null));
  for (const button of byTestId("portal-shortcuts").querySelectorAll("button[data-flow]")) {
    button.addEventListener("click", () => openPortal(button, button.dataset.flow));
  }
  // Back from the portal through the browser's cache: the buttons must work again.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    for (const button of portalButtons()) setBusy(button, false);
    announce("");
    // Whatever happened meanwhile (a paid invoice, a new card) shows without a reload.
    if (state.session && state.summary) {
      refreshSummary({ quiet: true });
      loadInvoices(true);
    }
  });
}

// What the page shows on arrival, or when a sign-in link is followed while it is open.
async function arrive(token) {
  let session = null;
  try {
    session = await currentSession();
    if (token) session = await offerHandover(token, session);
  } catch (error) {
    showError(error); // a link with an expired or foreign token: say so, then go on
  }
  if (session) {
    await enterDashboard(session);
    return;
  }
  await showSignIn();
}

async function start() {
  wireControls();
  window.addEventListener("hashchange", () => {
    const token = takeTokenFromFragment();
    if (token) arrive(token);
  });
  await arrive(takeTokenFromFragment());
}

start();
