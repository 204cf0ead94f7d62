// Stripe's Payment Element on the hosted pay page (PAYMENTS_GATEWAY=stripe).
// The element collects the card in Stripe's frame and creates a PaymentMethod; the form
// then posts only its id (pm_...) to the service, which confirms the invoice's
// PaymentIntent (and sends the customer to 3-D Secure when the bank asks for it).
// Settings come from data- attributes: the page has no inline script.
(function () {
  "use strict";
  var mount = document.getElementById("payment-element");
  var form = document.getElementById("stripe-form");
  var shown = document.getElementById("stripe-error");
  if (!mount || !form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(mount.dataset.publishableKey, { locale: mount.dataset.locale });
  // data-mode="setup": the update-your-payment-method page saves a card, charging nothing
  var options = mount.dataset.mode === "setup" ? {
    mode: "setup",
    currency: mount.dataset.currency,
    paymentMethodCreation: "manual",
    paymentMethodTypes: ["card"]
  } : {
    mode: "payment",
    amount: Number(mount.dataset.amount),
    currency: mount.dataset.currency,
    paymentMethodCreation: "manual",
    paymentMethodTypes: ["card"]
  };
  var elements = stripe.elements(options);
  elements.create("payment").mount(mount);
  var sending = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) { return; }
    sending = true;
    elements.submit().then(function (checked) {
      if (checked.error) { throw checked.error; }
      return stripe.createPaymentMethod({ elements: elements });
    }).then(function (result) {
      if (result.error) { throw result.error; }
      document.getElementById("payment-method").value = result.paymentMethod.id;
      form.submit();
    }).catch(function (error) {
      shown.textContent = error.message;
      sending = false;
    });
  });
})();
