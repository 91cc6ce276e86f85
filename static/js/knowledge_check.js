// The knowledge check: Enter on an answer goes on to the next unanswered question instead of
// sending a half-answered form, and "n of 10 answered" beside the button keeps count.
{
  const form = document.querySelector("form.knowledge-check");
  const count = document.getElementById("answered-count");
  const questions = [...form.querySelectorAll("fieldset")];
  const isAnswered = (question) => question.querySelector("input[type=radio]:checked") !== null;

  const showCount = () => {
    const text = `${questions.filter(isAnswered).length} of ${questions.length} answered`;
    if (count.textContent !== text) count.textContent = text; // a live region: say changes only
  };
  form.addEventListener("change", showCount);
  showCount(); // a browser may have restored answers picked before a reload

  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.target.type !== "radio") return;
    // The questions after this one first, then those before it.
    const here = questions.findIndex((question) => question.contains(event.target));
    const next = [...questions.slice(here + 1), ...questions.slice(0, here + 1)].find(
      (question) => !isAnswered(question),
    );
    if (next) {
      event.preventDefault();
      next.querySelector("input[type=radio]").focus();
    }
  });
}
