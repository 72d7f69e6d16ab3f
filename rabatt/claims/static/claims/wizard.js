// Progressive enhancement of the claim wizard and the answer page. Everything works without
// this file; with it, uploads show progress and previews without a reload, photos are shrunk
// on the device first, and the cashback estimate follows the purchase form as it is filled.
import { shrinkForUpload } from "../receipts/shrink.js";

const XHR_HEADER = { "X-Requested-With": "XMLHttpRequest" };

function focusFirstError() {
  const target = document.querySelector("[data-focus]");
  if (target) {
    target.focus();
  }
}

function csrfToken(form) {
  const input = form.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function uploadWithProgress(url, body, onProgress) {
  // fetch() cannot report upload progress; XMLHttpRequest can.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) {
        onProgress(Math.round((event.loaded / event.total) * 100));
      }
    });
    xhr.addEventListener("load", () => resolve({ status: xhr.status, body: xhr.response || {} }));
    xhr.addEventListener("error", () => reject(new Error("network")));
    xhr.send(body);
  });
}

function setupUploader(root) {
  const form = root.querySelector("[data-upload-form]");
  const input = form.querySelector("input[type=file]");
  const button = form.querySelector("[data-upload-button]");
  const status = root.querySelector("[data-upload-status]");
  const label = root.querySelector("[data-upload-label]");
  const progress = status.querySelector("progress");
  const live = root.querySelector("[data-upload-live]");
  const errorBox = root.querySelector("[data-upload-error]");
  const list = root.querySelector("[data-file-list]");
  const labelText = label.textContent;
  // Uploading starts as soon as a file is picked, so the extra button is not needed.
  button.hidden = true;

  function showError(message, code) {
    errorBox.textContent = message;
    errorBox.dataset.code = code || "";
    errorBox.classList.add("error-summary");
  }

  function clearError() {
    errorBox.textContent = "";
    errorBox.dataset.code = "";
    errorBox.classList.remove("error-summary");
  }

  input.addEventListener("change", async () => {
    const picked = input.files && input.files[0];
    if (!picked) {
      return;
    }
    clearError();
    input.disabled = true;
    status.hidden = false;
    progress.value = 0;
    label.textContent = `${labelText} ${picked.name}`;
    let file = picked;
    try {
      file = await shrinkForUpload(picked);
    } catch {
      // The browser could not shrink it (e.g. HEIC in Chrome): let the server explain why.
      file = picked;
    }
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken(form));
    body.append("file", file, file.name || picked.name);
    try {
      const answer = await uploadWithProgress(form.action, body, (pct) => {
        progress.value = pct;
      });
      if (answer.body.ok) {
        list.innerHTML = answer.body.html;
        live.textContent = answer.body.message;
        pollReadings();
      } else {
        showError(answer.body.message || "Error", answer.body.code);
      }
    } catch {
      showError(form.dataset.networkError, "network");
    } finally {
      input.value = "";
      input.disabled = false;
      status.hidden = true;
      label.textContent = labelText;
    }
  });

  // While a file is being read in the background, ask for the list again every 1.5 s (for
  // at most 90 s) so the page tells what the reading found; without JavaScript the page
  // refreshes itself instead.
  const readingUrl = root.dataset.readingUrl;
  let polls = 0;
  let timer = null;
  function pollReadings() {
    if (!readingUrl || timer || polls >= 60 || !list.querySelector("[data-reading-pending]")) {
      return;
    }
    timer = setTimeout(async () => {
      timer = null;
      polls += 1;
      try {
        const response = await fetch(readingUrl, { headers: XHR_HEADER });
        const answer = await response.json();
        if (answer.ok) {
          list.innerHTML = answer.html;
        }
      } catch {
        // A lost answer: the next poll, or a reload, asks again.
      }
      pollReadings();
    }, 1500);
  }
  pollReadings();

  list.addEventListener("submit", async (event) => {
    const removeForm = event.target.closest("form[data-remove]");
    if (!removeForm) {
      return;
    }
    event.preventDefault();
    clearError();
    const response = await fetch(removeForm.action, {
      method: "POST", headers: XHR_HEADER, body: new FormData(removeForm),
    });
    const answer = await response.json();
    if (answer.ok) {
      list.innerHTML = answer.html;
      live.textContent = answer.message;
      // The button that had focus is gone: put focus somewhere sensible.
      input.focus();
    } else {
      showError(answer.message, answer.code);
    }
  });
}

function setupPurchase(form) {
  const quote = form.querySelector("[data-quote]");
  const quoteButton = form.querySelector("[data-quote-button]");
  const country = form.querySelector("select[name=country]");
  const retailer = form.querySelector("select[name=retailer]");
  const data = document.getElementById("retailers-by-country");
  const byCountry = data ? JSON.parse(data.textContent) : {};
  if (quoteButton) {
    quoteButton.hidden = true;
  }

  function fillRetailers() {
    // Only the chosen country's retailers make sense; rebuild the list rather than hiding
    // options, which Safari ignores.
    const chosen = retailer.value;
    const placeholder = retailer.querySelector("option[value='']");
    retailer.replaceChildren(placeholder);
    for (const [code, name] of byCountry[country.value] || []) {
      const option = new Option(name, code, false, code === chosen);
      retailer.append(option);
    }
  }

  let timer = null;
  let sequence = 0;
  async function refreshQuote() {
    const mine = ++sequence;
    const response = await fetch(form.dataset.quoteUrl, {
      method: "POST", headers: XHR_HEADER, body: new FormData(form),
    });
    if (response.ok && mine === sequence) {
      quote.innerHTML = await response.text();
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refreshQuote, 350);
  }

  if (country && retailer) {
    fillRetailers();
    country.addEventListener("change", fillRetailers);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
}

function setupSubmitOnce() {
  for (const button of document.querySelectorAll("[data-submit-once]")) {
    button.form.addEventListener("submit", () => {
      // Disable after the submit has been taken, so the browser still sends the form.
      setTimeout(() => {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      }, 0);
    });
  }
}

focusFirstError();
document.querySelectorAll("[data-uploader]").forEach(setupUploader);
document.querySelectorAll("[data-purchase-form]").forEach(setupPurchase);
setupSubmitOnce();
