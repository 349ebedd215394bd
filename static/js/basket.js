// Knapsack ballot: show the running total of each envelope while the voter ticks projects.
// The page works without this script; the server checks the total in any case.
(function () {
  "use strict";
  var format = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
  document.querySelectorAll("fieldset.envelope").forEach(function (fieldset) {
    var amount = Number(fieldset.dataset.amount);
    var output = fieldset.querySelector(".basket-total");
    if (!output) { return; }
    function update() {
      var total = 0;
      fieldset.querySelectorAll("input[data-cost]:checked").forEach(function (box) { total += Number(box.dataset.cost); });
      output.hidden = false;
      output.textContent = "Votre panier : " + format.format(total / 100) + " sur " + format.format(amount / 100)
        + (total > amount ? " — dépasse l’enveloppe !" : "");
      output.classList.toggle("over-budget", total > amount);
    }
    fieldset.addEventListener("change", update);
    update();
  });
})();
