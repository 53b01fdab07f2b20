import HTTPServer

/// Static assets, compiled in so the binary is the whole deployment. Served with an ETag, so browsers cache
/// them and revalidate cheaply.
enum Assets {
    static let stylesheetPath = "/assets/app.css"
    static let stylesheetFile = StaticFile(contentType: "text/css; charset=utf-8", text: stylesheet)

    static let stylesheet = """
    *, *::before, *::after { box-sizing: border-box; }
    html { font-family: Arial, "Helvetica Neue", Helvetica, sans-serif; font-size: 100%; line-height: 1.3; color: #0b0c0c; background: #f3f2f1; }
    body { margin: 0; background: #ffffff; min-height: 100vh; display: flex; flex-direction: column; }
    a { color: #1d70b8; text-decoration: underline; text-underline-offset: .15em; }
    a:visited { color: #4c2c92; }
    a:hover { color: #003078; text-decoration-thickness: 3px; }
    a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #ffdd00; outline-offset: 0; box-shadow: inset 0 0 0 2px #0b0c0c; }
    a:focus { background-color: #ffdd00; color: #0b0c0c; box-shadow: 0 -2px #ffdd00, 0 4px #0b0c0c; text-decoration: none; outline: none; }
    .skip-link { position: absolute; left: -9999px; top: auto; padding: 10px 15px; background: #ffdd00; color: #0b0c0c; }
    .skip-link:focus { position: static; display: block; }
    .visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: 0; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
    .marking { background: #0b0c0c; color: #ffffff; text-align: center; font-weight: 700; letter-spacing: .05em; padding: 4px 10px; font-size: 1rem; }
    .marking--bottom { margin-top: 0; }
    .width-container { width: 100%; max-width: 1020px; margin: 0 auto; padding: 0 15px; }
    .header { background: #0b0c0c; color: #ffffff; border-bottom: 10px solid #1d70b8; }
    .header__container { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 30px; padding-top: 10px; padding-bottom: 10px; }
    .header__service { color: #ffffff; font-weight: 700; font-size: 1.5rem; text-decoration: none; }
    .header__service:visited, .header__service:hover { color: #ffffff; }
    .header__nav-list { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 5px 20px; }
    .header__link, .header__link:visited { color: #ffffff; font-weight: 700; }
    .header__link[aria-current="page"] { text-decoration-thickness: 3px; }
    .header__account { margin-left: auto; display: flex; align-items: center; gap: 15px; flex-wrap: wrap; }
    .header__role { color: #ffffff; font-weight: 400; }
    .header__signout { margin: 0; }
    .header__signout-button { background: none; border: 0; color: #ffffff; text-decoration: underline; font: inherit; font-weight: 700; cursor: pointer; padding: 0; }
    .main { padding: 30px 0 45px; flex: 1; }
    h1, .heading-xl { font-size: 2.25rem; margin: 0 0 30px; line-height: 1.1; }
    h2, .heading-l { font-size: 1.5rem; margin: 30px 0 15px; }
    h3, .heading-m { font-size: 1.2rem; margin: 20px 0 10px; }
    p { margin: 0 0 20px; font-size: 1.1875rem; }
    .lead { font-size: 1.5rem; }
    .caption { color: #505a5f; font-size: 1.1875rem; display: block; margin-bottom: 5px; }
    .form-group { margin-bottom: 30px; }
    .form-group--error { border-left: 5px solid #d4351c; padding-left: 15px; }
    .label { display: block; font-weight: 700; font-size: 1.1875rem; margin-bottom: 5px; }
    .hint { color: #505a5f; margin-bottom: 15px; font-size: 1.1875rem; }
    .error-message { color: #d4351c; font-weight: 700; margin-bottom: 15px; }
    .input, .select { font: inherit; font-size: 1.1875rem; padding: 5px; border: 2px solid #0b0c0c; border-radius: 0; width: 100%; max-width: 30em; min-height: 40px; background: #ffffff; }
    .input--error { border-color: #d4351c; }
    .input--20 { max-width: 20em; }
    /* date input (issue 30) */
    .date-fieldset { margin-bottom: 0; }
    .date-fieldset .label { margin-bottom: 5px; }
    .date-input { display: flex; flex-wrap: wrap; gap: 0 20px; }
    .date-input__item { display: inline-block; margin-bottom: 0; }
    .date-input__label { display: block; font-size: 1.1875rem; margin-bottom: 5px; }
    .input.input--width-2 { width: 2.75em; max-width: 2.75em; }
    .input.input--width-4 { width: 4.5em; max-width: 4.5em; }
    .input.input--error { border-color: #d4351c; }
    time[title] { text-decoration: none; }
    .button { display: inline-block; text-decoration: none; font: inherit; font-size: 1.1875rem; font-weight: 400; background: #00703c; color: #ffffff; border: 2px solid transparent; box-shadow: 0 2px 0 #002d18; padding: 8px 10px 7px; cursor: pointer; margin: 0 15px 30px 0; }
    .button:hover { background: #005a30; }
    a.button:link, a.button:visited, a.button:hover { color: #ffffff; }
    .button--secondary { background: #f3f2f1; color: #0b0c0c; box-shadow: 0 2px 0 #929191; }
    .button--secondary:hover { background: #dbdad9; }
    a.button--secondary:link, a.button--secondary:visited, a.button--secondary:hover { color: #0b0c0c; }
    a.button:focus { color: #0b0c0c; }
    .button--warning { background: #d4351c; box-shadow: 0 2px 0 #55150b; }
    .button--small { font-size: 1rem; padding: 4px 8px 3px; margin: 0 8px 8px 0; }
    .table__cell form { display: inline-block; }
    .button--warning:hover { background: #aa2a16; }
    .error-summary { border: 5px solid #d4351c; padding: 20px; margin-bottom: 30px; }
    .error-summary:focus { outline: 3px solid #ffdd00; }
    .error-summary__title { margin-top: 0; }
    .error-summary__list { margin: 0; padding-left: 0; list-style: none; }
    .error-summary__list li { margin-bottom: 10px; font-size: 1.1875rem; }
    .error-summary__list a { color: #d4351c; font-weight: 700; }
    .notification { border: 5px solid #1d70b8; margin-bottom: 30px; }
    .notification--success { border-color: #00703c; }
    .notification__title { margin: 0; padding: 2px 15px 5px; background: #1d70b8; color: #ffffff; font-size: 1.1875rem; }
    .notification--success .notification__title { background: #00703c; }
    .notification__body { padding: 15px; margin: 0; font-weight: 700; }
    .table { width: 100%; border-collapse: collapse; margin-bottom: 40px; font-size: 1.1875rem; }
    .table__caption { text-align: left; font-weight: 700; font-size: 1.5rem; margin-bottom: 15px; }
    .table__header, .table__cell { text-align: left; padding: 10px 20px 10px 0; border-bottom: 1px solid #b1b4b6; vertical-align: top; }
    .summary-list { margin: 0 0 30px; font-size: 1.1875rem; }
    .summary-list__row { display: flex; flex-wrap: wrap; border-bottom: 1px solid #b1b4b6; padding: 10px 0; }
    .summary-list__key { font-weight: 700; width: 35%; min-width: 12em; margin: 0; }
    .summary-list__value { margin: 0; flex: 1; }
    .tag { display: inline-block; padding: 2px 8px; background: #d2e2f1; color: #0c2d4a; font-weight: 700; font-size: 1rem; }
    .tag--green { background: #cce2d8; color: #005a30; }
    .tag--red { background: #f4cdc6; color: #2a0b06; }
    .tag--grey { background: #e5e6e7; color: #0b0c0c; }
    .work-counts { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fit, minmax(14em, 1fr)); gap: 10px 20px; margin-bottom: 30px; }
    .work-counts li { border-left: 5px solid #1d70b8; padding: 5px 10px; }
    .work-count { display: block; font-size: 2rem; font-weight: 700; line-height: 1.2; }
    .work-section { margin-bottom: 30px; }
    .work-list li { margin-bottom: 10px; }
    .footer { background: #f3f2f1; border-top: 1px solid #b1b4b6; padding: 25px 0 15px; }
    .footer__marking { font-size: 1rem; }
    .inline-form { display: inline; }
    .preserve-lines { white-space: pre-line; }
    .textarea { font: inherit; font-size: 1.1875rem; padding: 5px; border: 2px solid #0b0c0c; width: 100%; max-width: 40em; display: block; }
    .checkbox { display: flex; align-items: center; gap: 10px; margin-bottom: 10px; font-size: 1.1875rem; }
    .checkbox__input { width: 32px; height: 32px; margin: 0; }
    .fieldset { border: 0; padding: 0; margin: 0 0 30px; }
    .fieldset__legend { font-weight: 700; font-size: 1.5rem; margin-bottom: 15px; }
    .section-break { border: 0; border-top: 1px solid #b1b4b6; margin: 30px 0; }
    .findings { border-left: 5px solid #d4351c; padding-left: 15px; margin-bottom: 30px; }
    .findings--clear { border-left-color: #00703c; }
    .findings li { margin-bottom: 8px; font-size: 1.1875rem; }
    .timeline { list-style: none; padding: 0; }
    .timeline li { border-left: 3px solid #1d70b8; padding: 0 0 15px 15px; font-size: 1.1875rem; }
    .search { display: flex; gap: 10px; flex-wrap: wrap; align-items: flex-end; margin-bottom: 30px; }
    .search .form-group { margin-bottom: 0; }
    .search .button { margin-bottom: 0; }
    /* reflow and print (issue 30) */
    main, .header, .footer { overflow-wrap: anywhere; }
    .table__cell, .table__header, .summary-list__value, .summary-list__key { overflow-wrap: anywhere; }
    .table__cell, .table__header { min-width: 5em; }
    .tag { overflow-wrap: normal; white-space: nowrap; }
    .table-region { overflow-x: auto; position: relative; margin-bottom: 40px; }
    .table-region:focus { outline: 3px solid #ffdd00; outline-offset: 0; box-shadow: inset 0 0 0 2px #0b0c0c; }
    .table-region > .table { margin-bottom: 0; }
    .table-empty { margin-bottom: 40px; }
    .table-empty__text { color: #505a5f; }
    .input, .select, .textarea { max-width: 100%; }
    .details { display: block; margin: 0 0 30px; font-size: 1.1875rem; }
    .details > summary { color: #1d70b8; cursor: pointer; text-decoration: underline; text-underline-offset: .15em; margin-bottom: 10px; }
    .details > summary:focus { outline: 3px solid #ffdd00; background: #ffdd00; color: #0b0c0c; }
    .details[open] { border-left: 5px solid #b1b4b6; padding-left: 15px; }
    .details + h2, .details + h3 { margin-top: 45px; }
    .inset-text { border-left: 10px solid #b1b4b6; padding: 15px; margin: 30px 0; }
    .inset-text > :last-child { margin-bottom: 0; }
    .recommendation { border-left: 10px solid #1d70b8; background: #f3f2f1; padding: 15px 20px; margin: 0 0 30px; font-size: 1.1875rem; }
    .recommendation__title { margin-top: 0; }
    .recommendation__subheading { font-size: 1.1875rem; margin: 20px 0 5px; }
    .recommendation ul { margin: 0 0 15px; padding-left: 20px; }
    .recommendation li { margin-bottom: 5px; font-weight: 400; }
    @media (max-width: 640px) {
      h1, .heading-xl { font-size: 1.75rem; }
      h2, .heading-l { font-size: 1.3rem; }
      .header__service { font-size: 1.2rem; }
      .header__account { margin-left: 0; }
      .summary-list__key { width: 100%; min-width: 0; }
      .table__header, .table__cell { padding-right: 10px; }
    }
    @page {
      margin: 20mm 15mm;
      @top-center { content: "\(Layout.marking)"; font: 700 11pt Arial, sans-serif; letter-spacing: .05em; }
      @bottom-center { content: "\(Layout.marking)"; font: 700 11pt Arial, sans-serif; letter-spacing: .05em; }
    }
    @media print {
      html, body { background: #ffffff; min-height: 0; display: block; }
      .marking { display: none; }
      .skip-link, .header__nav, .header__account, .button, button, .details > summary, .details:not([open]), .search, .inline-form, form[method="get"] { display: none !important; }
      .header { background: #ffffff; color: #0b0c0c; border-bottom: 2px solid #0b0c0c; }
      .header__service, .header__service:visited { color: #0b0c0c; }
      .width-container { max-width: none; padding: 0; }
      .main { padding: 15px 0; }
      a, a:visited { color: #0b0c0c; }
      .table-region { overflow: visible; }
      .table { font-size: 11pt; }
      tr, .summary-list__row, .timeline li, .findings li { break-inside: avoid; page-break-inside: avoid; }
      thead { display: table-header-group; break-after: avoid; page-break-after: avoid; }
      h1, h2, h3, .table__caption, caption { break-after: avoid; page-break-after: avoid; }
      .footer { border-top: 1px solid #0b0c0c; background: #ffffff; }
    }
    /* s35-ui: the referral task list, its section pages and check answers (issue 30 item 2) */
    .back-link { display: inline-block; position: relative; margin: 0 0 20px; padding-left: 14px; font-size: 1rem; color: #0b0c0c; }
    .back-link::before { content: ""; position: absolute; left: 3px; top: .45em; width: 7px; height: 7px; border: solid currentColor; border-width: 1px 1px 0 0; transform: rotate(225deg); }
    .task-list { list-style: none; margin: 0 0 40px; padding: 0; border-top: 1px solid #b1b4b6; font-size: 1.1875rem; }
    .task-list__item { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 10px 20px; padding: 10px 0; border-bottom: 1px solid #b1b4b6; }
    .task-list__name-and-hint { flex: 1 1 20em; }
    .task-list__hint { margin: 5px 0 0; padding-left: 20px; color: #505a5f; font-size: 1rem; }
    .task-list__status { flex: 0 0 auto; }
    .tag--light-blue { background: #e8f1f8; color: #0c2d4a; }
    .fieldset__legend--m { font-size: 1.5rem; }
    .radios__item { display: flex; align-items: center; gap: 10px; margin-bottom: 10px; font-size: 1.1875rem; }
    .radios__input { width: 32px; height: 32px; margin: 0; flex: 0 0 auto; }
    .radios__input:focus { outline: 3px solid #ffdd00; outline-offset: 1px; box-shadow: 0 0 0 7px #0b0c0c; }
    .check-answers__section { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 0 20px; }
    .check-answers__heading { flex: 1 1 auto; margin-bottom: 10px; }
    .check-answers__change { margin: 0 0 10px; font-size: 1.1875rem; }
    .check-answers__section > .summary-list { flex: 1 1 100%; }
    /* s35-ui: printed tables wrap at spaces (issue 30 item 3). A column is as wide as its longest word, so "Category"
       never prints as "Catego / ry"; only free text (`.free-text`, `.preserve-lines`) may break a token too long for
       its column, so one pasted string cannot push the table off the page. */
    @media print {
      .table { font-size: 10pt; }
      .table__cell, .table__header { min-width: 0; padding-right: 8px; overflow-wrap: break-word; word-break: normal; }
      .table__cell .free-text, .table__cell .preserve-lines { overflow-wrap: anywhere; }
    }
    """
}
