// A form marked data-autosubmit is sent as soon as the page loads (the answer a deep-linking
// launch posts back to the LMS); its button stays for a browser without scripts.
document.querySelectorAll("form[data-autosubmit]").forEach((form) => form.submit());
