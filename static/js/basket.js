// Knapsack ballot: show the running total of each envelope while the voter ticks projects.
// The page works without this script; the server checks the total in any case.
// Text and number format follow the page language (<html lang>): French by default, English for "en*".
(function () {
  "use strict";
  var english = /^en\b/i.test(document.documentElement.lang || "");
  var text = english
    ? { basket: "Your basket: ", of: " of ", over: " — over the envelope’s amount!" }
    : { basket: "Votre panier : ", of: " sur ", over: " — dépasse l’enveloppe !" };
  var format = new Intl.NumberFormat(english ? "en-GB" : "fr-FR",
    { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
  document.querySelectorAll("fieldset.envelope").forEach(function (fieldset) {
    var amount = Number(fieldset.dataset.amount);
    var output = fieldset.querySelector(".basket-total");
    if (!output) { return; }
    function update() {
      var total = 0;
      fieldset.querySelectorAll("input[data-cost]:checked").forEach(function (box) { total += Number(box.dataset.cost); });
      output.hidden = false;
      output.textContent = text.basket + format.format(total / 100) + text.of + format.format(amount / 100)
        + (total > amount ? text.over : "");
      output.classList.toggle("over-budget", total > amount);
    }
    fieldset.addEventListener("change", update);
    update();
  });
})();
