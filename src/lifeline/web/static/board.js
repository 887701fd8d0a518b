// The dispatcher records a crew's result read out on the radio: a row's button opens the one form, which lives
// outside the live lists so that a refresh never wipes what is being typed.
(function () {
  const form = document.getElementById("radio-feedback");
  if (!form) return;
  function close() {
    form.reset();
    form.hidden = true;
  }
  document.body.addEventListener("click", (event) => {
    const button = event.target.closest("[data-radio-feedback]");
    if (button) {
      form.elements.unit.value = button.dataset.radioFeedback;
      document.getElementById("radio-unit").textContent = button.dataset.code;
      form.hidden = false;
      document.getElementById("radio-result").focus();
    } else if (event.target.closest("[data-radio-cancel]")) {
      close();
    }
  });
  document.body.addEventListener("radio-fed-back", close);
})();
